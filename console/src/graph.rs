//! A state machine's graph, laid out for drawing: every state a box, the transitions between
//! them (Next, each Choice rule with its condition, Default, each Catch), Retry and Catch
//! listed on their state, and Parallel branches and Map iterators as nested groups.
//!
//! The layout is layered (Sugiyama, by `layout-rs`): each level of nesting is laid out on its
//! own, innermost first, and a Parallel or Map state enters its parent's layout as one box the
//! size of its laid-out branches, which are then placed inside it (a compound layout built by
//! recursion). The answer is absolute coordinates, top-left origin, y downwards.

use std::panic::{AssertUnwindSafe, catch_unwind};

use layout::core::base::Orientation;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::StyleAttr;
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;
use serde::Serialize;
use serde_json::{Map, Value};

/// The pseudo-state the execution starts from.
pub const START: &str = "__start__";
/// The pseudo-state a succeeded execution ends in.
pub const END: &str = "__end__";

const MARGIN: f64 = 16.0;
const BOX_H: f64 = 44.0;
const PILL: (f64, f64) = (72.0, 28.0);
/// Inside a Parallel or Map box: the padding around its groups and the room for its title.
const PAD: f64 = 14.0;
const HEADER: f64 = 34.0;
/// Room for a group's own label above its states.
const GROUP_HEADER: f64 = 22.0;
/// The longest edge label laid out (the whole label is in the answer).
const LABEL_CHARS: usize = 36;
/// Nesting deeper than this is refused (Step Functions itself allows far less in practice).
const MAX_DEPTH: usize = 16;

/// A laid-out state machine.
#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    /// Width of the drawing.
    pub width: f64,
    /// Height of the drawing.
    pub height: f64,
    /// Every state, the two pseudo-states, and the states of every branch.
    pub nodes: Vec<Node>,
    /// Parallel branches and Map iterators.
    pub groups: Vec<Group>,
    /// The transitions.
    pub edges: Vec<Edge>,
}

/// One state (or pseudo-state).
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// The state's name ([`START`] and [`END`] for the pseudo-states).
    pub id: String,
    /// What to write in it.
    pub label: String,
    /// The state's `Type` (`Start` and `End` for the pseudo-states).
    #[serde(rename = "type")]
    pub kind: String,
    /// Top-left corner and size.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// The group (branch or iterator) it is in.
    pub parent: Option<String>,
    /// Each Retry rule, as text.
    pub retry: Vec<String>,
    /// Each Catch rule, as text.
    pub catch: Vec<String>,
}

/// A Parallel branch or a Map iterator.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// `<state>#<branch index>`.
    pub id: String,
    /// `Branch 1`, ... or `Iterator`.
    pub label: String,
    /// Top-left corner and size.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// The Parallel or Map state.
    pub parent: String,
}

/// A transition.
#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    /// From this state.
    pub from: String,
    /// To this one.
    pub to: String,
    /// `next`, `choice`, `default` or `catch`.
    pub kind: &'static str,
    /// The Choice rule's condition, `Default`, or the Catch's error names.
    pub label: String,
    /// The SVG path (cubic Bézier segments).
    pub d: String,
    /// Where the path passes (its end points), for a label or a polyline.
    pub points: Vec<[f64; 2]>,
    /// Where the arrowhead goes: `end`, or `start` for an edge the layout drew backwards (a
    /// loop back to an earlier state).
    pub head: &'static str,
    #[serde(skip)]
    path: Vec<(Point, Point)>,
}

/// A laid-out level of nesting, in its own coordinates.
#[derive(Debug, Default)]
struct Sub {
    width: f64,
    height: f64,
    nodes: Vec<Node>,
    groups: Vec<Group>,
    edges: Vec<Edge>,
}

impl Sub {
    fn shift(&mut self, dx: f64, dy: f64) {
        for n in &mut self.nodes {
            n.x += dx;
            n.y += dy;
        }
        for g in &mut self.groups {
            g.x += dx;
            g.y += dy;
        }
        for e in &mut self.edges {
            for (a, b) in &mut e.path {
                *a = Point::new(a.x + dx, a.y + dy);
                *b = Point::new(b.x + dx, b.y + dy);
            }
        }
    }

    fn absorb(&mut self, other: Sub) {
        self.nodes.extend(other.nodes);
        self.groups.extend(other.groups);
        self.edges.extend(other.edges);
    }
}

/// Lays out the state machine `definition` (its JSON text).
pub fn layout(definition: &str) -> Result<Layout, String> {
    let v: Value =
        serde_json::from_str(definition).map_err(|e| format!("the definition is not JSON: {e}"))?;
    let mut sub = level(&v, true, 0)?;
    for e in &mut sub.edges {
        e.d = svg_path(&e.path);
        e.points = e.path.iter().map(|(p, _)| [p.x, p.y]).collect();
    }
    Ok(Layout {
        width: sub.width,
        height: sub.height,
        nodes: sub.nodes,
        groups: sub.groups,
        edges: sub.edges,
    })
}

/// One state machine or branch (`States` and `StartAt`), laid out, with its nested groups.
fn level(v: &Value, top: bool, depth: usize) -> Result<Sub, String> {
    if depth > MAX_DEPTH {
        return Err(format!("states are nested more than {MAX_DEPTH} deep"));
    }
    let states = v
        .get("States")
        .and_then(Value::as_object)
        .ok_or("the definition has no States object")?;
    let start_at = v
        .get("StartAt")
        .and_then(Value::as_str)
        .ok_or("the definition has no StartAt")?;
    // Nested levels first: a Parallel or Map box is the size of what it holds.
    let mut inner: Vec<(String, Vec<(String, Sub)>)> = Vec::new();
    for (name, s) in states {
        let groups = nested(name, s, depth)?;
        if !groups.is_empty() {
            inner.push((name.clone(), groups));
        }
    }

    let mut vg = VisualGraph::new(Orientation::TopToBottom);
    let look = StyleAttr::simple();
    let mut handles = Vec::new();
    let mut nodes: Vec<Node> = Vec::new();
    let mut add = |vg: &mut VisualGraph, node: Node| {
        let h = vg.add_node(Element::create(
            ShapeKind::Box(node.label.clone()),
            look.clone(),
            Orientation::TopToBottom,
            Point::new(node.w, node.h),
        ));
        handles.push(h);
        nodes.push(node);
    };
    if top {
        add(&mut vg, pseudo(START, "Start"));
    }
    for (name, s) in states {
        let kind = s.get("Type").and_then(Value::as_str).unwrap_or("?");
        let (w, h) = match inner.iter().find(|(n, _)| n == name) {
            Some((_, groups)) => container_size(name, groups),
            None => (box_width(name), BOX_H),
        };
        add(
            &mut vg,
            Node {
                id: name.clone(),
                label: name.clone(),
                kind: kind.to_string(),
                x: 0.0,
                y: 0.0,
                w,
                h,
                parent: None,
                retry: rules(s, "Retry", retry_text),
                catch: rules(s, "Catch", catch_text),
            },
        );
    }
    if top {
        add(&mut vg, pseudo(END, "End"));
    }

    // The transitions; several between the same two states are drawn as one.
    let mut edges: Vec<Edge> = Vec::new();
    let mut link = |from: &str, to: &str, kind: &'static str, label: String| {
        if !nodes.iter().any(|n| n.id == to) {
            return; // validation reports it; the drawing leaves it out
        }
        if let Some(e) = edges.iter_mut().find(|e| e.from == from && e.to == to) {
            if !label.is_empty() {
                e.label = if e.label.is_empty() {
                    label
                } else {
                    format!("{} / {label}", e.label)
                };
            }
            return;
        }
        edges.push(Edge {
            from: from.to_string(),
            to: to.to_string(),
            kind,
            label,
            d: String::new(),
            points: Vec::new(),
            head: "end",
            path: Vec::new(),
        });
    };
    if top {
        link(START, start_at, "next", String::new());
    }
    for (name, s) in states {
        let kind = s.get("Type").and_then(Value::as_str).unwrap_or("");
        if let Some(next) = s.get("Next").and_then(Value::as_str) {
            link(name, next, "next", String::new());
        }
        let ends = s.get("End") == Some(&Value::Bool(true)) || kind == "Succeed";
        if top && (ends || kind == "Fail") {
            link(name, END, "next", String::new());
        }
        for rule in s
            .get("Choices")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(next) = rule.get("Next").and_then(Value::as_str) {
                link(name, next, "choice", condition(rule));
            }
        }
        if let Some(d) = s.get("Default").and_then(Value::as_str) {
            link(name, d, "default", "Default".to_string());
        }
        for c in s
            .get("Catch")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(next) = c.get("Next").and_then(Value::as_str) {
                link(name, next, "catch", error_list(c));
            }
        }
    }
    for (i, e) in edges.iter().enumerate() {
        let from = handles[nodes.iter().position(|n| n.id == e.from).unwrap_or(0)];
        let to = handles[nodes.iter().position(|n| n.id == e.to).unwrap_or(0)];
        let mut arrow = Arrow::simple(&short(&e.label));
        arrow.properties = Some(i.to_string());
        if e.kind == "catch" {
            arrow.line_style = layout::core::style::LineStyleKind::Dashed;
        }
        arrow.end = LineEndKind::Arrow;
        vg.add_edge(arrow, from, to);
    }

    // The layout library asserts on inputs it cannot handle; such a graph is an error here.
    let mut capture = Capture::default();
    catch_unwind(AssertUnwindSafe(|| {
        vg.do_it(false, false, false, &mut capture);
    }))
    .map_err(|_| "the layout failed for this graph".to_string())?;
    for (i, path, head_at_start) in capture.arrows {
        if let Some(e) = edges.get_mut(i) {
            e.path = path;
            e.head = if head_at_start { "start" } else { "end" };
        }
    }

    // Normalise: the top-left of everything at the margin.
    let mut min = (f64::MAX, f64::MAX);
    let mut max = (f64::MIN, f64::MIN);
    for (n, h) in nodes.iter_mut().zip(&handles) {
        let (tl, _) = vg.pos(*h).bbox(false);
        n.x = tl.x;
        n.y = tl.y;
        min = (min.0.min(n.x), min.1.min(n.y));
        max = (max.0.max(n.x + n.w), max.1.max(n.y + n.h));
    }
    for e in &edges {
        for (a, b) in &e.path {
            for p in [a, b] {
                min = (min.0.min(p.x), min.1.min(p.y));
                max = (max.0.max(p.x), max.1.max(p.y));
            }
        }
    }
    if nodes.is_empty() {
        min = (0.0, 0.0);
        max = (0.0, 0.0);
    }
    let mut sub = Sub {
        width: max.0 - min.0 + 2.0 * MARGIN,
        height: max.1 - min.1 + 2.0 * MARGIN,
        nodes,
        groups: Vec::new(),
        edges,
    };
    sub.shift(MARGIN - min.0, MARGIN - min.1);

    // Place each container's groups inside its box.
    for (name, groups) in inner {
        let Some(host) = sub.nodes.iter().find(|n| n.id == name).cloned() else {
            continue;
        };
        let mut x = host.x + PAD;
        for (i, (label, mut g)) in groups.into_iter().enumerate() {
            let id = format!("{name}#{i}");
            let (gw, gh) = (g.width, g.height + GROUP_HEADER);
            for n in g.nodes.iter_mut().filter(|n| n.parent.is_none()) {
                n.parent = Some(id.clone());
            }
            g.shift(x, host.y + HEADER + GROUP_HEADER);
            sub.groups.push(Group {
                id,
                label,
                x,
                y: host.y + HEADER,
                w: gw,
                h: gh,
                parent: name.clone(),
            });
            sub.absorb(g);
            x += gw + PAD;
        }
    }
    Ok(sub)
}

/// The groups a Parallel (its branches) or Map (its iterator) state holds, laid out.
fn nested(name: &str, s: &Value, depth: usize) -> Result<Vec<(String, Sub)>, String> {
    let in_state = |e: String| format!("in state {name}: {e}");
    let mut out = Vec::new();
    match s.get("Type").and_then(Value::as_str) {
        Some("Parallel") => {
            for (i, b) in s
                .get("Branches")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                out.push((
                    format!("Branch {}", i + 1),
                    level(b, false, depth + 1).map_err(in_state)?,
                ));
            }
        }
        Some("Map") => {
            if let Some(it) = s.get("ItemProcessor").or_else(|| s.get("Iterator")) {
                out.push((
                    "Iterator".to_string(),
                    level(it, false, depth + 1).map_err(in_state)?,
                ));
            }
        }
        _ => {}
    }
    Ok(out)
}

/// The size of a Parallel or Map box holding `groups` side by side.
fn container_size(name: &str, groups: &[(String, Sub)]) -> (f64, f64) {
    let inner_w: f64 = groups.iter().map(|(_, g)| g.width).sum::<f64>()
        + PAD * (groups.len().saturating_sub(1)) as f64;
    let inner_h = groups.iter().map(|(_, g)| g.height).fold(0.0, f64::max);
    (
        (inner_w + 2.0 * PAD).max(box_width(name)),
        HEADER + GROUP_HEADER + inner_h + PAD,
    )
}

fn pseudo(id: &str, kind: &str) -> Node {
    Node {
        id: id.to_string(),
        label: kind.to_string(),
        kind: kind.to_string(),
        x: 0.0,
        y: 0.0,
        w: PILL.0,
        h: PILL.1,
        parent: None,
        retry: Vec::new(),
        catch: Vec::new(),
    }
}

/// A box wide enough for its name (about 7 px a character in the console's font).
fn box_width(label: &str) -> f64 {
    (label.chars().count() as f64 * 7.5 + 32.0).clamp(120.0, 420.0)
}

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_string();
    }
    let mut s: String = label.chars().take(LABEL_CHARS - 1).collect();
    s.push('…');
    s
}

fn rules(s: &Value, key: &str, text: fn(&Value) -> String) -> Vec<String> {
    s.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(text)
        .collect()
}

fn error_list(rule: &Value) -> String {
    rule.get("ErrorEquals")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// `States.ALL: 3 attempts, every 1s ×2` (the service's defaults where a field is absent:
/// 3 attempts, 1 second, backoff 2.0).
fn retry_text(r: &Value) -> String {
    let n = |k: &str| r.get(k).and_then(Value::as_f64);
    let mut s = format!(
        "{}: {} retries, every {}s ×{}",
        error_list(r),
        n("MaxAttempts").unwrap_or(3.0),
        n("IntervalSeconds").unwrap_or(1.0),
        n("BackoffRate").unwrap_or(2.0)
    );
    if let Some(m) = n("MaxDelaySeconds") {
        s.push_str(&format!(", at most {m}s"));
    }
    if let Some(j) = r.get("JitterStrategy").and_then(Value::as_str) {
        s.push_str(&format!(", jitter {j}"));
    }
    s
}

fn catch_text(c: &Value) -> String {
    format!(
        "{} → {}",
        error_list(c),
        c.get("Next").and_then(Value::as_str).unwrap_or("?")
    )
}

/// A Choice rule's condition as a person reads it: `$.status == "RUNNING"`, `not (...)`,
/// `(...) and (...)`; a JSONata rule's `Condition` as written.
pub fn condition(rule: &Value) -> String {
    let Some(obj) = rule.as_object() else {
        return String::new();
    };
    if let Some(c) = obj.get("Condition").and_then(Value::as_str) {
        return c.to_string();
    }
    let join = |key: &str, word: &str| {
        obj.get(key).and_then(Value::as_array).map(|rules| {
            rules
                .iter()
                .map(|r| format!("({})", condition(r)))
                .collect::<Vec<_>>()
                .join(&format!(" {word} "))
        })
    };
    if let Some(s) = join("And", "and") {
        return s;
    }
    if let Some(s) = join("Or", "or") {
        return s;
    }
    if let Some(n) = obj.get("Not") {
        return format!("not ({})", condition(n));
    }
    let variable = obj.get("Variable").and_then(Value::as_str).unwrap_or("?");
    comparison(obj)
        .map(|(op, value)| format!("{variable} {op} {value}"))
        .unwrap_or_else(|| variable.to_string())
}

fn comparison(obj: &Map<String, Value>) -> Option<(String, String)> {
    for (key, value) in obj {
        if matches!(
            key.as_str(),
            "Variable" | "Next" | "Comment" | "Assign" | "Output"
        ) {
            continue;
        }
        let (base, path) = match key.strip_suffix("Path") {
            Some(b) if b != "Is" => (b, true),
            _ => (key.as_str(), false),
        };
        let op = match base {
            "IsPresent" | "IsNull" | "IsString" | "IsNumeric" | "IsBoolean" | "IsTimestamp" => {
                let what = base.trim_start_matches("Is").to_lowercase();
                return Some((
                    if value == &Value::Bool(true) {
                        format!("is {what}")
                    } else {
                        format!("is not {what}")
                    },
                    String::new(),
                ));
            }
            "StringMatches" => "matches",
            b if b.ends_with("GreaterThanEquals") => ">=",
            b if b.ends_with("LessThanEquals") => "<=",
            b if b.ends_with("GreaterThan") => ">",
            b if b.ends_with("LessThan") => "<",
            b if b.ends_with("Equals") => "==",
            _ => continue,
        };
        let shown = match (path, value) {
            (true, Value::String(p)) => p.clone(),
            _ => value.to_string(),
        };
        return Some((op.to_string(), shown));
    }
    None
}

fn svg_path(path: &[(Point, Point)]) -> String {
    // Each pair is a point and its control point: M p0 C c0, c1?, p1 ... as layout-rs builds
    // its own SVG (the first pair's control point leaves p0, the others enter their point).
    if path.len() < 2 {
        return String::new();
    }
    let f = |p: &Point| format!("{:.1} {:.1}", p.x, p.y);
    let mut d = format!(
        "M {} C {}, {}, {}",
        f(&path[0].0),
        f(&path[0].1),
        f(&path[1].0),
        f(&path[1].1)
    );
    for (p, c) in &path[2..] {
        d.push_str(&format!(" S {}, {}", f(p), f(c)));
    }
    d
}

/// Keeps the arrows the layout draws (each carries its edge's index); boxes are drawn by the
/// page.
#[derive(Default)]
struct Capture {
    arrows: Vec<Arrowed>,
}

/// One drawn arrow: its edge's index, its Bézier segments, and whether it runs backwards.
type Arrowed = (usize, Vec<(Point, Point)>, bool);

impl RenderBackend for Capture {
    fn draw_rect(
        &mut self,
        _: Point,
        _: Point,
        _: &StyleAttr,
        _: Option<String>,
        _: Option<ClipHandle>,
    ) {
    }
    fn draw_line(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}
    fn draw_circle(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}
    fn draw_text(&mut self, _: Point, _: &str, _: &StyleAttr) {}
    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _dashed: bool,
        head: (bool, bool),
        _look: &StyleAttr,
        properties: Option<String>,
        _text: &str,
    ) {
        if let Some(i) = properties.and_then(|p| p.parse::<usize>().ok()) {
            self.arrows.push((i, path.to_vec(), head.0 && !head.1));
        }
    }
    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lays_out_choices_catches_and_branches_without_overlap() {
        let def = serde_json::json!({
            "StartAt": "A",
            "States": {
                "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Pick",
                      "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
                      "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Failed"}]},
                "Pick": {"Type": "Choice", "Choices": [
                    {"Variable": "$.n", "NumericGreaterThan": 3, "Next": "Fan"},
                    {"Not": {"Variable": "$.s", "StringEquals": "x"}, "Next": "A"}],
                    "Default": "Done"},
                "Fan": {"Type": "Parallel", "Next": "Done", "Branches": [
                    {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": true}}},
                    {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "Next": "B3"},
                                                 "B3": {"Type": "Succeed"}}}]},
                "Done": {"Type": "Succeed"},
                "Failed": {"Type": "Fail", "Error": "E"}
            }
        });
        let l = layout(&def.to_string()).unwrap();
        let ids: Vec<&str> = l.nodes.iter().map(|n| n.id.as_str()).collect();
        for id in [
            START, "A", "Pick", "Fan", "Done", "Failed", END, "B1", "B2", "B3",
        ] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
        // Top-level boxes do not overlap.
        let top: Vec<&Node> = l.nodes.iter().filter(|n| n.parent.is_none()).collect();
        for (i, a) in top.iter().enumerate() {
            for b in &top[i + 1..] {
                let apart =
                    a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
                assert!(apart, "{} overlaps {}", a.id, b.id);
            }
        }
        // Branch states sit inside their group, groups inside the Parallel box.
        let fan = l.nodes.iter().find(|n| n.id == "Fan").unwrap();
        assert_eq!(l.groups.len(), 2);
        for g in &l.groups {
            assert_eq!(g.parent, "Fan");
            assert!(
                g.x >= fan.x && g.x + g.w <= fan.x + fan.w + 0.01,
                "{g:?} outside {fan:?}"
            );
            assert!(
                g.y >= fan.y && g.y + g.h <= fan.y + fan.h + 0.01,
                "{g:?} outside {fan:?}"
            );
        }
        let b3 = l.nodes.iter().find(|n| n.id == "B3").unwrap();
        let g1 = l.groups.iter().find(|g| g.id == "Fan#1").unwrap();
        assert_eq!(b3.parent.as_deref(), Some("Fan#1"));
        assert!(b3.x >= g1.x && b3.y >= g1.y && b3.x + b3.w <= g1.x + g1.w + 0.01);
        // Every transition, labelled.
        let edge = |f: &str, t: &str| l.edges.iter().find(|e| e.from == f && e.to == t);
        assert_eq!(edge("Pick", "Fan").unwrap().label, "$.n > 3");
        assert_eq!(edge("Pick", "A").unwrap().label, "not ($.s == \"x\")");
        assert_eq!(edge("Pick", "Done").unwrap().kind, "default");
        assert_eq!(edge("A", "Failed").unwrap().label, "States.TaskFailed");
        assert_eq!(edge("A", "Failed").unwrap().kind, "catch");
        assert!(edge("Done", END).is_some() && edge("Failed", END).is_some());
        assert!(edge("B2", "B3").is_some());
        for e in &l.edges {
            assert!(e.d.starts_with("M "), "{e:?} has no path");
        }
        // The loop back (Pick -> A) is drawn against the layers.
        let a = l.nodes.iter().find(|n| n.id == "A").unwrap();
        assert_eq!(a.retry, vec!["States.ALL: 2 retries, every 1s ×2"]);
        assert!(l.width > 0.0 && l.height > fan.y + fan.h);
    }

    #[test]
    fn bad_definitions_are_errors_not_panics() {
        assert!(layout("{").unwrap_err().contains("not JSON"));
        assert!(layout("{}").unwrap_err().contains("States"));
        let deep = (0..20).fold(
            serde_json::json!({"StartAt": "x", "States": {"x": {"Type": "Pass", "End": true}}}),
            |inner, _| serde_json::json!({"StartAt": "p", "States": {"p": {"Type": "Parallel", "End": true, "Branches": [inner]}}}),
        );
        assert!(layout(&deep.to_string()).unwrap_err().contains("nested"));
        // A transition to a missing state is left out of the drawing.
        let l = layout(r#"{"StartAt":"a","States":{"a":{"Type":"Pass","Next":"nope"}}}"#).unwrap();
        assert!(l.edges.iter().all(|e| e.to != "nope"));
    }
}
