//! The methods the sandbox serves, one file each, found by `_mt` and `_version`.
//!
//! A method's file holds its name and version (the name from the model's `METHOD_*`
//! constants), the names of its business parameters and its `handle` function, which turns
//! a [`Call`](crate::call::Call) into the answer's `data` or a
//! [`Rejection`](crate::rejection::Rejection). Adding a method is adding its file here: the
//! build script lists every file of this folder, and each is declared and registered in
//! `registry()` below.

use crate::call::{Handler, Registry};

/// Declares each file and lists it in [`registry`].
macro_rules! declare_methods {
    ($($method:ident),* $(,)?) => {
        $(mod $method;)*

        /// Every method the sandbox serves.
        pub(crate) fn registry() -> Registry {
            Registry::new(vec![
                $(($method::METHOD, $method::VERSION, $method::handle as Handler),)*
            ])
        }
    };
}

// `with_method_files!`, which hands the build script's list of files to a macro.
include!(concat!(env!("OUT_DIR"), "/methods.rs"));
with_method_files!(declare_methods);

pub use echo::METHOD_ECHO;

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use proptest::prelude::*;

    use super::*;
    use crate::call::Call;
    use crate::params::Params;
    use crate::platform::{Platform, PlatformConfig};
    use crate::tokens::User;
    use crate::validate::tests::{now, rules_with, signed_form};
    use crate::validate::validate;

    fn form(pairs: &[(&str, &str)]) -> String {
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            form.append_pair(k, v);
        }
        form.finish()
    }

    #[test]
    fn every_method_is_listed_once_at_v1_but_send_order() {
        let registry = registry();
        let entries = registry.entries();
        for (i, (method, version, _)) in entries.iter().enumerate() {
            let expected = if *method == opretail_model::METHOD_SEND_ORDER {
                "v2"
            } else {
                "v1"
            };
            assert_eq!(*version, expected, "{method}");
            assert!(
                entries[i + 1..].iter().all(|(m, _, _)| m != method),
                "{method} twice"
            );
        }
        for method in [
            METHOD_ECHO,
            opretail_model::METHOD_GET_AGE_GROUP_AND_GENDER_DISTRIBUTION,
            opretail_model::METHOD_GET_DEPARTMENTS,
            opretail_model::METHOD_GET_DEPT_LIST_BY_PAGE,
            opretail_model::METHOD_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA,
            opretail_model::METHOD_CUSTOMERFLOW_GET_MANY_SHOPS_PASSENGER_INDICATOR_DATA,
            opretail_model::METHOD_GET_PASSENGER_INDICATOR_DATA,
            opretail_model::METHOD_GET_TOTAL_DATA,
            opretail_model::METHOD_MOBILE_LOGIN,
            opretail_model::METHOD_SSO_LOGIN,
            opretail_model::METHOD_REPORT_SALES,
            opretail_model::METHOD_REPORT_SALES_HOURLY,
        ] {
            assert!(registry.lookup(method, "v1").is_some(), "{method}");
        }
        let order = opretail_model::METHOD_SEND_ORDER;
        assert!(registry.lookup(order, "v2").is_some());
        assert!(registry.lookup(order, "v1").is_none());
    }

    #[test]
    fn a_signed_form_passes_and_runs() {
        let body = signed_form(&[("id", "S_1"), ("needUnit", "0")]);
        let params = Params::parse(None, body.as_bytes());
        let accepted = validate(&params, &rules_with(registry()), now()).unwrap();
        let platform = Platform::new(PlatformConfig::default());
        let call = Call {
            params: &params,
            now: now(),
            quirks: false,
            platform: &platform,
            gateway: opretail_model::Gateway::Classic,
            token: None,
            revision: None,
        };
        let data = (accepted.handler)(&call).unwrap().to_value();
        assert!(data["DAY_FLOW"].is_u64());
    }

    proptest! {
        #[test]
        fn arbitrary_business_values_never_panic(id in ".{0,40}", need_unit in ".{0,4}", quirks in any::<bool>(), at in -10_000_000_000i64..200_000_000_000) {
            let body = signed_form(&[("id", &id), ("needUnit", &need_unit)]);
            let params = Params::parse(None, body.as_bytes());
            if let Ok(accepted) = validate(&params, &rules_with(registry()), now()) {
                let at = DateTime::from_timestamp(at, 0).expect("inside chrono's range");
                let platform = Platform::new(PlatformConfig::default());
                let call = Call { params: &params, now: at.with_timezone(&now().timezone()), quirks, platform: &platform, gateway: opretail_model::Gateway::Classic, token: None, revision: None };
                let _ = (accepted.handler)(&call);
            }
        }

        /// Every method, with a token, over arbitrary window, id and page parameters.
        #[test]
        fn arbitrary_window_parameters_never_panic(
            id in "(S_|O_)?[0-9]{0,6}(,(S_|O_)?[0-9]{0,5}){0,3}",
            start in "[+-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}( [0-9]{1,2}:[0-9]{2}:[0-9]{2})?",
            end in "[+-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}( [0-9]{1,2}:[0-9]{2}:[0-9]{2})?",
            time_type in "[0-9]{0,2}",
            hours in proptest::option::of(("[0-9]{0,2}", "[0-9]{0,2}")),
            business in "[0-2]?",
            page in "[0-9]{0,4}",
            revision in proptest::option::of((0u32..72, any::<u64>())),
            quirks in any::<bool>(),
            at in -10_000_000_000i64..200_000_000_000,
        ) {
            let now = DateTime::from_timestamp(at, 0)
                .expect("inside chrono's range")
                .with_timezone(&crate::clock::gateway_offset());
            let platform = Platform::new(PlatformConfig::default());
            let user = User { name: "u".into(), password: "p".into(), user_id: 1 };
            let (token, _) = platform.tokens.issue(&user, now);
            let (start_hour, end_hour) = hours.unwrap_or_default();
            let dep_id = id.trim_start_matches("S_").trim_start_matches("O_").to_owned();
            let body = form(&[
                ("id", &id), ("depId", &dep_id),
                ("startTime", &start), ("endTime", &end), ("stime", &start), ("etime", &end),
                ("timeType", &time_type), ("startHour", &start_hour), ("endHour", &end_hour),
                ("starthour", &start_hour), ("endhour", &end_hour),
                ("isOnBusinessTime", &business), ("pageNumber", &page), ("pageSize", &page),
            ]);
            let params = Params::parse(None, body.as_bytes());
            let call = Call {
                params: &params,
                now,
                quirks,
                platform: &platform,
                gateway: opretail_model::Gateway::Classic,
                token: Some(&token),
                revision: revision.map(|(hours, number)| crate::synthesis::revision::Revision { hours, number }),
            };
            for (_, _, handler) in registry().entries() {
                let _ = handler(&call);
            }
        }
    }
}
