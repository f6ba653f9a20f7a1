//! The translation report: what was translated exactly, what through a function, what was
//! replaced (a Firehose input, a Lambda output) and what cannot be translated, with why.
//! `report.md` is for people, `report.json` for tools.

use serde::{Deserialize, Serialize};

use crate::translate::Profile;

/// How a construct was translated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Flink SQL with the same results.
    Exact,
    /// Flink SQL with the same results under the condition the detail names.
    Conditional,
    /// A user-defined function (same parameters and seed).
    Udf,
    /// Replaced by what Flink offers (a Firehose input by a Kinesis stream, a Lambda output by
    /// a stream the function consumes).
    Replaced,
    /// Not translated; the detail says why.
    Untranslatable,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Exact => "exact",
            Kind::Conditional => "exact if",
            Kind::Udf => "UDF",
            Kind::Replaced => "replaced",
            Kind::Untranslatable => "NOT TRANSLATED",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// What it is about (`pump X`, `input S`, `output O`).
    pub subject: String,
    /// The construct (`TOP_K_ITEMS_TUMBLING`, `Firehose input`, `stage 2`).
    pub construct: String,
    /// How it was translated.
    pub kind: Kind,
    /// The translation, or the reason it was not.
    pub detail: String,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The application.
    pub application: String,
    /// The profile.
    pub profile: Profile,
    /// Whether every pump and output was translated (nothing untranslatable).
    pub complete: bool,
    /// The lines, in the order the translation met them.
    pub items: Vec<Item>,
}

impl Report {
    /// A report of `items`.
    pub fn new(application: &str, profile: Profile, items: Vec<Item>) -> Self {
        let complete = !items.iter().any(|i| {
            i.kind == Kind::Untranslatable
                && (i.subject.starts_with("pump ") || i.subject.starts_with("output "))
        });
        Self {
            application: application.to_string(),
            profile,
            complete,
            items,
        }
    }

    /// The untranslatable lines.
    pub fn untranslatable(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.kind == Kind::Untranslatable)
    }

    /// `report.md`.
    pub fn markdown(&self) -> String {
        let count = |k: Kind| self.items.iter().filter(|i| i.kind == k).count();
        let mut s = format!(
            "# {} on Apache Flink (profile `{:?}`)\n\n{}\n\n{} exact, {} exact under a condition, {} through a UDF, {} replaced, {} not translated.\n\n| subject | construct | translation | detail |\n|---|---|---|---|\n",
            self.application,
            self.profile,
            if self.complete {
                "Every pump and output was translated."
            } else {
                "Some pumps or outputs could not be translated (below, NOT TRANSLATED); the job runs the rest."
            },
            count(Kind::Exact),
            count(Kind::Conditional),
            count(Kind::Udf),
            count(Kind::Replaced),
            count(Kind::Untranslatable),
        );
        for i in &self.items {
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                i.subject,
                i.construct,
                i.kind.label(),
                i.detail.replace('|', "\\|")
            ));
        }
        s
    }
}
