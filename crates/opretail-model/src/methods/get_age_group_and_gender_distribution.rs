//! Visitors by age and gender.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::id::unique_ids;
use crate::lenient::{LenientInt, OneOrMany};
use crate::measure::LenientMeasure;
use crate::{DateRange, EntityId, Error, HourRange, Measure, Operation, Params};

/// The method name of the age and gender distribution of visitors.
pub const METHOD_GET_AGE_GROUP_AND_GENDER_DISTRIBUTION: &str =
    "open.shopweb.passengerFlow.flowGroup.getAgeGroupAndGenderDistribution";

/// `open.shopweb.passengerFlow.flowGroup.getAgeGroupAndGenderDistribution` (v1): visitors of
/// stores by gender and age group over whole days, optionally within hours of the day.
///
/// Sends `id` (the `S_…` ids, comma-separated), `stime` and `etime` (whole days, in the
/// same form as the other window methods: see [`DateRange`]), `startHour` and `endHour`
/// ([`HourRange::ALL_DAY`], 0 to 24, unless set). The method rests on third-party use only.
/// Needs a token; idempotent.
///
/// ```
/// use chrono::NaiveDate;
/// use opretail_model::{DateRange, GetAgeGroupAndGenderDistribution, Operation};
///
/// let days = DateRange::day(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
/// let op = GetAgeGroupAndGenderDistribution::new(["S_1001".parse()?, "S_1002".parse()?], days)?;
/// assert_eq!(
///     op.params(),
///     [
///         ("id", "S_1001,S_1002".into()),
///         ("stime", "2026-11-28 00:00:00".into()),
///         ("etime", "2026-11-28 23:59:59".into()),
///         ("startHour", "0".into()),
///         ("endHour", "24".into()),
///     ]
/// );
/// assert!(op.needs_token() && op.idempotent());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetAgeGroupAndGenderDistribution {
    ids: Vec<EntityId>,
    days: DateRange,
    hours: HourRange,
}

impl GetAgeGroupAndGenderDistribution {
    /// The method name.
    pub const METHOD: &'static str = METHOD_GET_AGE_GROUP_AND_GENDER_DISTRIBUTION;
    /// Parameter name: the ids, comma-separated.
    pub const PARAM_ID: &'static str = "id";
    /// Parameter name: the first day.
    pub const PARAM_STIME: &'static str = "stime";
    /// Parameter name: the last day.
    pub const PARAM_ETIME: &'static str = "etime";
    /// Parameter name: the first hour of each day.
    pub const PARAM_START_HOUR: &'static str = "startHour";
    /// Parameter name: the hour each day ends.
    pub const PARAM_END_HOUR: &'static str = "endHour";

    /// The visitors of `ids` over `days`, all day. Repeated ids are sent once; no id at all
    /// is an error.
    pub fn new(ids: impl IntoIterator<Item = EntityId>, days: DateRange) -> Result<Self, Error> {
        Ok(GetAgeGroupAndGenderDistribution {
            ids: unique_ids(ids)?,
            days,
            hours: HourRange::ALL_DAY,
        })
    }

    /// Only the hours `hours` of each day.
    pub fn hours(mut self, hours: HourRange) -> Self {
        self.hours = hours;
        self
    }

    /// The ids asked about.
    pub fn ids(&self) -> &[EntityId] {
        &self.ids
    }
}

impl Operation for GetAgeGroupAndGenderDistribution {
    type Output = Demographics;

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn params(&self) -> Params<'_> {
        let ids: Vec<&str> = self.ids.iter().map(EntityId::as_str).collect();
        vec![
            (Self::PARAM_ID, Cow::Owned(ids.join(","))),
            (Self::PARAM_STIME, Cow::Owned(self.days.start_param())),
            (Self::PARAM_ETIME, Cow::Owned(self.days.end_param())),
            (
                Self::PARAM_START_HOUR,
                Cow::Owned(self.hours.start().to_string()),
            ),
            (
                Self::PARAM_END_HOUR,
                Cow::Owned(self.hours.end().to_string()),
            ),
        ]
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn needs_token(&self) -> bool {
        true
    }
}

/// Visitors by gender and by age group: the `data` of `getAgeGroupAndGenderDistribution`.
///
/// The shares are read from `genderDistribution` and `ageDistribution` (one object is a list
/// of one; `null` an empty list); `null` data is empty. The shape rests on third-party use;
/// undocumented fields are kept in [`Demographics::extra`].
///
/// ```
/// use opretail_model::{Demographics, Gender};
///
/// let data: Demographics = serde_json::from_str(r#"{
///     "genderDistribution": [{"gender": 1, "peopleNum": 120, "percentage": "60%"}],
///     "ageDistribution": [{"ageDivisionType": 4, "peopleNum": 8, "percentage": 4.0, "ageFrom": 60, "ageTo": null}]
/// }"#)?;
/// assert_eq!(data.gender[0].gender, Some(Gender::Male));
/// assert_eq!(data.gender[0].percentage.as_ref().unwrap().value(), 60.0);
/// assert!(data.age[0].is_open_ended());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Demographics {
    /// Visitors by gender (`genderDistribution`).
    pub gender: Vec<GenderShare>,
    /// Visitors by age group (`ageDistribution`).
    pub age: Vec<AgeShare>,
    /// Fields not listed here, by their wire name, as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

lenient_object!(Demographics, "the getAgeGroupAndGenderDistribution data object", data_of = METHOD_GET_AGE_GROUP_AND_GENDER_DISTRIBUTION, null = default, {
    gender: OneOrMany<GenderShare> = "gender" | "genderDistribution",
    age: OneOrMany<AgeShare> = "age" | "ageDistribution",
});

/// A visitor's gender, as the platform codes it: `0` unknown, `1` male, `2` female (the
/// last two as third-party clients read them). Any other code is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    /// `0`: not recognised.
    Unknown,
    /// `1`.
    Male,
    /// `2`.
    Female,
    /// Another code, kept as it came.
    Other(i64),
}

impl Gender {
    /// The gender of a code.
    pub fn from_code(code: i64) -> Gender {
        match code {
            0 => Gender::Unknown,
            1 => Gender::Male,
            2 => Gender::Female,
            other => Gender::Other(other),
        }
    }

    /// The code on the wire.
    pub fn code(self) -> i64 {
        match self {
            Gender::Unknown => 0,
            Gender::Male => 1,
            Gender::Female => 2,
            Gender::Other(code) => code,
        }
    }
}

/// Serialized as its code.
impl Serialize for Gender {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.code())
    }
}

/// A gender code: an integer or a numeric string; `null` and `""` mean none.
struct LenientGender(Option<Gender>);

impl<'de> Deserialize<'de> for LenientGender {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let LenientInt(code) = LenientInt::deserialize(deserializer)?;
        Ok(LenientGender(code.map(Gender::from_code)))
    }
}

/// The visitors of one gender.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct GenderShare {
    /// The gender (`gender`).
    pub gender: Option<Gender>,
    /// How many visitors (`peopleNum`).
    pub people_num: Option<Measure>,
    /// Their share, in percent (`percentage`).
    pub percentage: Option<Measure>,
    /// Fields not listed here, by their wire name, as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

lenient_object!(GenderShare, "a genderDistribution object", {
    gender: LenientGender = "gender",
    people_num: LenientMeasure = "people_num" | "peopleNum",
    percentage: LenientMeasure = "percentage",
});

/// The visitors of one age group.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct AgeShare {
    /// Which age group (`ageDivisionType`, 0 to 4 seen).
    pub age_division_type: Option<i64>,
    /// How many visitors (`peopleNum`).
    pub people_num: Option<Measure>,
    /// Their share, in percent (`percentage`).
    pub percentage: Option<Measure>,
    /// The youngest age of the group (`ageFrom`).
    pub age_from: Option<i64>,
    /// The oldest age of the group (`ageTo`); `None` when the group is open-ended.
    pub age_to: Option<i64>,
    /// Fields not listed here, by their wire name, as they came.
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl AgeShare {
    /// Whether the group has no upper age (`ageTo` is `null` or missing).
    pub fn is_open_ended(&self) -> bool {
        self.age_to.is_none()
    }
}

lenient_object!(AgeShare, "an ageDistribution object", {
    age_division_type: LenientInt = "age_division_type" | "ageDivisionType",
    people_num: LenientMeasure = "people_num" | "peopleNum",
    percentage: LenientMeasure = "percentage",
    age_from: LenientInt = "age_from" | "ageFrom",
    age_to: LenientInt = "age_to" | "ageTo",
});
