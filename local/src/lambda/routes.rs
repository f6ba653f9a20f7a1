//! restJson1 routing: which operation a method and path are (the paths of the Lambda API
//! reference), and the path's and query's parameters.

use std::collections::HashMap;

use axum::http::Method;

use super::{Lambda, functions, invoke, rest, versions};
use crate::service::{Operation, Request};

/// Every operation of the Lambda model; the twin serves functions, versions, aliases,
/// concurrency, tags and Invoke (README, "Known divergences").
pub(super) const TABLE: &[Operation<Lambda>] = &[
    Operation::not_implemented("AddLayerVersionPermission"),
    Operation::not_implemented("AddPermission"),
    Operation::not_implemented("CheckpointDurableExecution"),
    rest("CreateAlias", versions::create_alias),
    Operation::not_implemented("CreateCapacityProvider"),
    Operation::not_implemented("CreateCodeSigningConfig"),
    Operation::not_implemented("CreateEventSourceMapping"),
    rest("CreateFunction", functions::create_function),
    Operation::not_implemented("CreateFunctionUrlConfig"),
    rest("DeleteAlias", versions::delete_alias),
    Operation::not_implemented("DeleteCapacityProvider"),
    Operation::not_implemented("DeleteCodeSigningConfig"),
    Operation::not_implemented("DeleteEventSourceMapping"),
    rest("DeleteFunction", functions::delete_function),
    Operation::not_implemented("DeleteFunctionCodeSigningConfig"),
    rest("DeleteFunctionConcurrency", functions::delete_concurrency),
    Operation::not_implemented("DeleteFunctionEventInvokeConfig"),
    Operation::not_implemented("DeleteFunctionUrlConfig"),
    Operation::not_implemented("DeleteLayerVersion"),
    Operation::not_implemented("DeleteProvisionedConcurrencyConfig"),
    Operation::not_implemented("DeleteResourcePolicy"),
    rest("GetAccountSettings", functions::get_account_settings),
    rest("GetAlias", versions::get_alias),
    Operation::not_implemented("GetCapacityProvider"),
    Operation::not_implemented("GetCodeSigningConfig"),
    Operation::not_implemented("GetDurableExecution"),
    Operation::not_implemented("GetDurableExecutionHistory"),
    Operation::not_implemented("GetDurableExecutionState"),
    Operation::not_implemented("GetEventSourceMapping"),
    rest("GetFunction", functions::get_function),
    Operation::not_implemented("GetFunctionCodeSigningConfig"),
    rest("GetFunctionConcurrency", functions::get_concurrency),
    rest("GetFunctionConfiguration", functions::get_configuration),
    Operation::not_implemented("GetFunctionEventInvokeConfig"),
    Operation::not_implemented("GetFunctionRecursionConfig"),
    Operation::not_implemented("GetFunctionScalingConfig"),
    Operation::not_implemented("GetFunctionUrlConfig"),
    Operation::not_implemented("GetLayerVersion"),
    Operation::not_implemented("GetLayerVersionByArn"),
    Operation::not_implemented("GetLayerVersionPolicy"),
    Operation::not_implemented("GetPolicy"),
    Operation::not_implemented("GetProvisionedConcurrencyConfig"),
    Operation::not_implemented("GetResourcePolicy"),
    Operation::not_implemented("GetRuntimeManagementConfig"),
    rest("Invoke", invoke::invoke),
    Operation::not_implemented("InvokeAsync"),
    Operation::not_implemented("InvokeWithResponseStream"),
    rest("ListAliases", versions::list_aliases),
    Operation::not_implemented("ListCapacityProviders"),
    Operation::not_implemented("ListCodeSigningConfigs"),
    Operation::not_implemented("ListDurableExecutionsByFunction"),
    Operation::not_implemented("ListEventSourceMappings"),
    Operation::not_implemented("ListFunctionEventInvokeConfigs"),
    Operation::not_implemented("ListFunctionUrlConfigs"),
    Operation::not_implemented("ListFunctionVersionsByCapacityProvider"),
    rest("ListFunctions", functions::list_functions),
    Operation::not_implemented("ListFunctionsByCodeSigningConfig"),
    Operation::not_implemented("ListLayerVersions"),
    Operation::not_implemented("ListLayers"),
    Operation::not_implemented("ListProvisionedConcurrencyConfigs"),
    rest("ListTags", functions::list_tags),
    rest("ListVersionsByFunction", versions::list_versions),
    Operation::not_implemented("PublishLayerVersion"),
    rest("PublishVersion", versions::publish_version),
    Operation::not_implemented("PutFunctionCodeSigningConfig"),
    rest("PutFunctionConcurrency", functions::put_concurrency),
    Operation::not_implemented("PutFunctionEventInvokeConfig"),
    Operation::not_implemented("PutFunctionRecursionConfig"),
    Operation::not_implemented("PutFunctionScalingConfig"),
    Operation::not_implemented("PutProvisionedConcurrencyConfig"),
    Operation::not_implemented("PutResourcePolicy"),
    Operation::not_implemented("PutRuntimeManagementConfig"),
    Operation::not_implemented("RemoveLayerVersionPermission"),
    Operation::not_implemented("RemovePermission"),
    Operation::not_implemented("SendDurableExecutionCallbackFailure"),
    Operation::not_implemented("SendDurableExecutionCallbackHeartbeat"),
    Operation::not_implemented("SendDurableExecutionCallbackSuccess"),
    Operation::not_implemented("StopDurableExecution"),
    rest("TagResource", functions::tag_resource),
    rest("UntagResource", functions::untag_resource),
    rest("UpdateAlias", versions::update_alias),
    Operation::not_implemented("UpdateCapacityProvider"),
    Operation::not_implemented("UpdateCodeSigningConfig"),
    Operation::not_implemented("UpdateEventSourceMapping"),
    rest("UpdateFunctionCode", functions::update_code),
    rest(
        "UpdateFunctionConfiguration",
        functions::update_configuration,
    ),
    Operation::not_implemented("UpdateFunctionEventInvokeConfig"),
    Operation::not_implemented("UpdateFunctionUrlConfig"),
];

/// The segments of a path, percent-decoded, without empty ones.
fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}

/// The operation a method and path are.
pub(super) fn operation(method: &Method, path: &str) -> Option<&'static str> {
    let s = segments(path);
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    let m = method.as_str();
    Some(match (m, s.as_slice()) {
        ("POST", ["2015-03-31", "functions"]) => "CreateFunction",
        ("GET", ["2015-03-31", "functions"]) => "ListFunctions",
        ("GET", ["2015-03-31", "functions", _]) => "GetFunction",
        ("DELETE", ["2015-03-31", "functions", _]) => "DeleteFunction",
        ("GET", ["2015-03-31", "functions", _, "configuration"]) => "GetFunctionConfiguration",
        ("PUT", ["2015-03-31", "functions", _, "configuration"]) => "UpdateFunctionConfiguration",
        ("PUT", ["2015-03-31", "functions", _, "code"]) => "UpdateFunctionCode",
        ("POST", ["2015-03-31", "functions", _, "versions"]) => "PublishVersion",
        ("GET", ["2015-03-31", "functions", _, "versions"]) => "ListVersionsByFunction",
        ("POST", ["2015-03-31", "functions", _, "aliases"]) => "CreateAlias",
        ("GET", ["2015-03-31", "functions", _, "aliases"]) => "ListAliases",
        ("GET", ["2015-03-31", "functions", _, "aliases", _]) => "GetAlias",
        ("PUT", ["2015-03-31", "functions", _, "aliases", _]) => "UpdateAlias",
        ("DELETE", ["2015-03-31", "functions", _, "aliases", _]) => "DeleteAlias",
        ("POST", ["2015-03-31", "functions", _, "invocations"]) => "Invoke",
        ("PUT", ["2017-10-31", "functions", _, "concurrency"]) => "PutFunctionConcurrency",
        ("DELETE", ["2017-10-31", "functions", _, "concurrency"]) => "DeleteFunctionConcurrency",
        ("GET", ["2019-09-30", "functions", _, "concurrency"]) => "GetFunctionConcurrency",
        ("GET", ["2017-03-31", "tags", _]) => "ListTags",
        ("POST", ["2017-03-31", "tags", _]) => "TagResource",
        ("DELETE", ["2017-03-31", "tags", _]) => "UntagResource",
        ("GET", ["2016-08-19", "account-settings"]) => "GetAccountSettings",
        _ => return None,
    })
}

/// What a request names: the function (the path's third segment, a name or ARN), an alias,
/// and the query.
#[derive(Debug, Clone, Default)]
pub(super) struct Parts {
    /// `{FunctionName}` (or `{ARN}` for the tag operations).
    pub function: String,
    /// `{Name}` of an alias.
    pub alias: Option<String>,
    /// Query parameters (the last of a repeated one, except `tagKeys`, collected in `tag_keys`).
    pub query: HashMap<String, String>,
    /// `tagKeys`, repeated.
    pub tag_keys: Vec<String>,
}

impl Parts {
    /// The parts of `request`.
    pub fn of(request: &Request) -> Self {
        let s = segments(request.uri.path());
        let mut query = HashMap::new();
        let mut tag_keys = Vec::new();
        if let Some(q) = request.uri.query() {
            for (k, v) in form_urlencoded::parse(q.as_bytes()) {
                if k == "tagKeys" {
                    tag_keys.push(v.into_owned());
                } else {
                    query.insert(k.into_owned(), v.into_owned());
                }
            }
        }
        Parts {
            function: s.get(2).cloned().unwrap_or_default(),
            alias: s.get(4).cloned(),
            query,
            tag_keys,
        }
    }

    /// A query parameter.
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_operations() {
        let get = Method::GET;
        assert_eq!(
            operation(&get, "/2015-03-31/functions/"),
            Some("ListFunctions")
        );
        assert_eq!(
            operation(&get, "/2015-03-31/functions/f"),
            Some("GetFunction")
        );
        assert_eq!(
            operation(
                &Method::POST,
                "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations"
            ),
            Some("Invoke")
        );
        assert_eq!(
            operation(&get, "/2015-03-31/functions/f/aliases/live"),
            Some("GetAlias")
        );
        assert_eq!(operation(&get, "/nope"), None);
    }
}
