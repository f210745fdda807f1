//! Visitors by age and gender: parameters and the lenient answer.

use chrono::NaiveDate;
use opretail_model::engine::decode_response;
use opretail_model::{
    DateRange, Demographics, Gender, GetAgeGroupAndGenderDistribution, HourRange, Measure,
    Operation,
};

fn op() -> GetAgeGroupAndGenderDistribution {
    let days = DateRange::new(
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    )
    .unwrap();
    GetAgeGroupAndGenderDistribution::new(["S_1001".parse().unwrap()], days).unwrap()
}

fn int(m: &Option<Measure>) -> Option<i64> {
    m.as_ref().and_then(Measure::as_i64)
}

#[test]
fn the_hours_go_out_with_24_as_the_end_of_the_day() {
    let op = op().hours(HourRange::new(10, 24).unwrap());
    assert_eq!(
        op.method(),
        "open.shopweb.passengerFlow.flowGroup.getAgeGroupAndGenderDistribution"
    );
    assert_eq!(
        op.params(),
        [
            ("id", "S_1001".into()),
            ("stime", "2026-11-01 00:00:00".into()),
            ("etime", "2026-11-28 23:59:59".into()),
            ("startHour", "10".into()),
            ("endHour", "24".into()),
        ]
    );
    assert!(op.needs_token() && op.idempotent());
    let days = DateRange::day(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
    assert!(GetAgeGroupAndGenderDistribution::new([], days).is_err());
}

#[test]
fn shares_decode_leniently_with_unknown_genders_and_open_ended_ages_kept() {
    let body = include_bytes!("fixtures/demographics/distribution.json");
    let data = decode_response(&op(), 200, body).unwrap().output;
    let genders: Vec<Option<Gender>> = data.gender.iter().map(|g| g.gender).collect();
    assert_eq!(
        genders,
        [
            Some(Gender::Unknown),
            Some(Gender::Male),
            Some(Gender::Female),
            Some(Gender::Other(9))
        ]
    );
    assert_eq!(int(&data.gender[1].people_num), Some(108));
    assert_eq!(data.gender[1].percentage.as_ref().unwrap().value(), 54.0);
    assert_eq!(
        data.gender[2].percentage.as_ref().unwrap().unit(),
        Some("%")
    );

    let ages: Vec<(Option<i64>, Option<i64>, bool)> = data
        .age
        .iter()
        .map(|a| (a.age_from, a.age_to, a.is_open_ended()))
        .collect();
    assert_eq!(
        ages,
        [
            (Some(0), Some(17), false),
            (Some(18), Some(35), false),
            (Some(60), None, true)
        ]
    );
    assert_eq!(data.age[1].age_division_type, Some(1));
    assert_eq!(data.age[2].extra["label"], "60+");
    assert_eq!(data.extra["totalPeople"], 200);

    let stored = serde_json::to_value(&data).unwrap();
    assert_eq!(stored["gender"][3]["gender"], 9);
    assert_eq!(
        serde_json::from_value::<Demographics>(stored).unwrap(),
        data
    );
}

#[test]
fn missing_lists_are_empty() {
    let body = include_bytes!("fixtures/demographics/empty.json");
    let data = decode_response(&op(), 200, body).unwrap().output;
    assert!(data.gender.is_empty() && data.age.is_empty());
    let none = decode_response(&op(), 200, br#"{"stat":{"code":0},"data":null}"#).unwrap_err();
    assert!(
        none.to_string()
            .contains("getAgeGroupAndGenderDistribution"),
        "{none}"
    );
}

#[test]
fn a_gender_that_is_not_a_number_names_the_field() {
    let body =
        br#"{"stat":{"code":0,"cid":"c"},"data":{"genderDistribution":[{"gender":"male"}]}}"#;
    let err = decode_response(&op(), 200, body).unwrap_err().to_string();
    assert!(err.contains("genderDistribution[0].gender"), "{err}");
}
