//! The demo tenant: an enterprise with a few organisation nodes and 300 stores, generated
//! from a fixed seed so that every run (and every machine) sees the same stores.

use std::sync::LazyLock;

use serde_json::{Value, json};

/// How many stores the demo tenant has.
pub const DEMO_STORE_COUNT: usize = 300;
/// The first store's id (`depId`); the others follow without gaps, so the demo stores are
/// `S_1001` to `S_1300`.
pub const DEMO_FIRST_STORE_ID: i64 = 1001;
/// The organisation node every demo store hangs under, directly or through its region: its
/// `O_` id names all stores at once.
pub const DEMO_ROOT_NODE: &str = "O_100";

/// The seed of the demo tenant: the same stores on every run.
const TENANT_SEED: u64 = 0x0070_7265_7461_696c;
/// The business-platform enterprise id of the demo tenant (`groupId`, a login's
/// `enterpriseId`).
pub(crate) const DEMO_ENTERPRISE_ID: i64 = 88_001;
const ROOT_NODE_ID: i64 = 100;

/// An organisation node.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) id: i64,
    pub(crate) name: &'static str,
    /// The node above, `None` for the root.
    pub(crate) parent: Option<i64>,
}

const NODES: [Node; 5] = [
    Node {
        id: ROOT_NODE_ID,
        name: "万店掌演示集团 Demo Retail Group",
        parent: None,
    },
    Node {
        id: 101,
        name: "华东区 East China",
        parent: Some(ROOT_NODE_ID),
    },
    Node {
        id: 102,
        name: "华南区 South China",
        parent: Some(ROOT_NODE_ID),
    },
    Node {
        id: 103,
        name: "华北区 North China",
        parent: Some(ROOT_NODE_ID),
    },
    Node {
        id: 104,
        name: "华中西部 Central & West",
        parent: Some(ROOT_NODE_ID),
    },
];

/// A city: Chinese and Latin names, region node, telephone area code, district, position.
struct City {
    zh: &'static str,
    latin: &'static str,
    region: i64,
    area_code: &'static str,
    district: &'static str,
    code: &'static str,
    longitude: f64,
    latitude: f64,
}

const CITIES: [City; 10] = [
    City {
        zh: "上海",
        latin: "Shanghai",
        region: 101,
        area_code: "021",
        district: "黄浦区",
        code: "SH",
        longitude: 121.47,
        latitude: 31.23,
    },
    City {
        zh: "杭州",
        latin: "Hangzhou",
        region: 101,
        area_code: "0571",
        district: "上城区",
        code: "HZ",
        longitude: 120.16,
        latitude: 30.27,
    },
    City {
        zh: "南京",
        latin: "Nanjing",
        region: 101,
        area_code: "025",
        district: "秦淮区",
        code: "NJ",
        longitude: 118.80,
        latitude: 32.06,
    },
    City {
        zh: "广州",
        latin: "Guangzhou",
        region: 102,
        area_code: "020",
        district: "天河区",
        code: "GZ",
        longitude: 113.26,
        latitude: 23.13,
    },
    City {
        zh: "深圳",
        latin: "Shenzhen",
        region: 102,
        area_code: "0755",
        district: "福田区",
        code: "SZ",
        longitude: 114.06,
        latitude: 22.54,
    },
    City {
        zh: "北京",
        latin: "Beijing",
        region: 103,
        area_code: "010",
        district: "朝阳区",
        code: "BJ",
        longitude: 116.40,
        latitude: 39.90,
    },
    City {
        zh: "西安",
        latin: "Xi'an",
        region: 103,
        area_code: "029",
        district: "雁塔区",
        code: "XA",
        longitude: 108.94,
        latitude: 34.34,
    },
    City {
        zh: "成都",
        latin: "Chengdu",
        region: 104,
        area_code: "028",
        district: "锦江区",
        code: "CD",
        longitude: 104.07,
        latitude: 30.57,
    },
    City {
        zh: "武汉",
        latin: "Wuhan",
        region: 104,
        area_code: "027",
        district: "江汉区",
        code: "WH",
        longitude: 114.31,
        latitude: 30.59,
    },
    City {
        zh: "重庆",
        latin: "Chongqing",
        region: 104,
        area_code: "023",
        district: "渝中区",
        code: "CQ",
        longitude: 106.55,
        latitude: 29.56,
    },
];

const PLACES: [(&str, &str); 10] = [
    ("万达广场", "Wanda Plaza"),
    ("南京路", "Nanjing Road"),
    ("天河城", "Tianhe City"),
    ("大悦城", "Joy City"),
    ("万象城", "MixC"),
    ("来福士", "Raffles City"),
    ("银泰", "Intime"),
    ("太古里", "Taikoo Li"),
    ("吾悦广场", "Wuyue Plaza"),
    ("印象城", "InCity"),
];

/// A demo store, with every `Store` field of the store lists.
#[derive(Debug, Clone)]
pub(crate) struct DemoStore {
    pub(crate) dep_id: i64,
    pub(crate) name: String,
    /// The tenant's own code (`shopId`); empty for some stores, as on the platform.
    pub(crate) shop_id: String,
    pub(crate) trilateral_id: String,
    pub(crate) organize_id: i64,
    pub(crate) address: String,
    pub(crate) phone: String,
    pub(crate) location: String,
    pub(crate) longitude: f64,
    pub(crate) latitude: f64,
    /// 1 open, 0 closed.
    pub(crate) open_status: i64,
    pub(crate) validate_date: String,
    pub(crate) close_time: String,
    pub(crate) create_time: String,
    pub(crate) device_register_time: String,
    pub(crate) dev_count: i64,
    pub(crate) has_pc: bool,
    pub(crate) ipc_count_limit: i64,
    pub(crate) complete_config: bool,
    /// Business hours: from `open_hour` to `close_hour` (exclusive), gateway-local.
    pub(crate) open_hour: u32,
    pub(crate) close_hour: u32,
}

impl DemoStore {
    /// The id the passenger-flow methods use, `S_<depId>`: the key of its figures.
    pub(crate) fn entity(&self) -> String {
        format!("S_{}", self.dep_id)
    }

    /// The store as the store lists send it; `quirks` sends numbers as strings and flags
    /// as numbers.
    pub(crate) fn to_json(&self, quirks: bool) -> Value {
        let organize_name = node(self.organize_id).map_or("", |n| n.name);
        let num = |n: i64| {
            if quirks {
                json!(n.to_string())
            } else {
                json!(n)
            }
        };
        let flag = |b: bool| if quirks { json!(u8::from(b)) } else { json!(b) };
        let coordinate = |c: f64| {
            if quirks {
                json!(format!("{c:.6}"))
            } else {
                json!(c)
            }
        };
        json!({
            "id": num(self.dep_id),
            "name": self.name,
            "address": self.address,
            "phone": self.phone,
            "organizeId": num(self.organize_id),
            "organizeName": organize_name,
            "depOrganizeId": num(self.organize_id),
            "groupId": num(DEMO_ENTERPRISE_ID),
            "shopId": self.shop_id,
            "trilateralId": self.trilateral_id,
            "countryCode": "CN",
            "location": self.location,
            "longitude": coordinate(self.longitude),
            "latitude": coordinate(self.latitude),
            "openStatus": num(self.open_status),
            "validateStatus": num(1),
            "validateDate": self.validate_date,
            "closeTime": self.close_time,
            "createTime": self.create_time,
            "deviceRegisterTime": self.device_register_time,
            "devCount": num(self.dev_count),
            "hasPc": flag(self.has_pc),
            "ipcCurrentCount": num(self.dev_count),
            "ipcCountLimit": num(self.ipc_count_limit),
            "isCompleteconfig": flag(self.complete_config),
            "servicePermission": "passengerFlow,face",
        })
    }

    /// Whether `text` occurs in the name, ignoring the case of Latin letters.
    pub(crate) fn name_contains(&self, text: &str) -> bool {
        self.name.to_lowercase().contains(&text.to_lowercase())
    }
}

/// The organisation node with this id.
pub(crate) fn node(id: i64) -> Option<&'static Node> {
    NODES.iter().find(|n| n.id == id)
}

/// The demo tenant.
#[derive(Debug)]
pub(crate) struct Tenant {
    pub(crate) stores: Vec<DemoStore>,
}

/// The demo tenant, generated once per process.
pub(crate) fn demo() -> &'static Tenant {
    static TENANT: LazyLock<Tenant> = LazyLock::new(Tenant::generate);
    &TENANT
}

impl Tenant {
    fn generate() -> Tenant {
        let mut rng = fastrand::Rng::with_seed(TENANT_SEED);
        let mut stores = Vec::with_capacity(DEMO_STORE_COUNT);
        let mut code_numbers = [0_u32; CITIES.len()];
        for n in 0..DEMO_STORE_COUNT {
            let dep_id = DEMO_FIRST_STORE_ID + n as i64;
            let city_index = rng.usize(..CITIES.len());
            let city = &CITIES[city_index];
            let (place_zh, place_latin) = PLACES[rng.usize(..PLACES.len())];
            // Some stores of a chain share a mall: the branch number tells them apart.
            let branch = if rng.u8(..10) == 0 { 2 } else { 1 };
            let (zh, latin) = if branch == 1 {
                (
                    format!("{}{}店", city.zh, place_zh),
                    format!("{} {}", city.latin, place_latin),
                )
            } else {
                (
                    format!("{}{}二店", city.zh, place_zh),
                    format!("{} {} II", city.latin, place_latin),
                )
            };
            let name = match rng.u8(..3) {
                0 => zh,
                1 => latin,
                _ => format!("{zh} {latin}"),
            };
            code_numbers[city_index] += 1;
            let shop_id = if rng.u8(..5) == 0 {
                String::new()
            } else {
                format!("{}{:03}", city.code, code_numbers[city_index])
            };
            let trilateral_id = if rng.u8(..4) == 0 {
                format!("ERP-{}", 70_000 + dep_id)
            } else {
                String::new()
            };
            let open_status = if rng.u8(..25) == 0 { 0 } else { 1 };
            let created = (2018 + rng.i32(0..7), rng.u32(1..=12), rng.u32(1..=28));
            let date = |(y, m, d): (i32, u32, u32)| format!("{y:04}-{m:02}-{d:02}");
            let dev_count = rng.i64(1..=8);
            stores.push(DemoStore {
                dep_id,
                name,
                shop_id,
                trilateral_id,
                organize_id: city.region,
                address: format!(
                    "{}市{}{}{}号",
                    city.zh,
                    city.district,
                    place_zh,
                    rng.u32(1..=999)
                ),
                phone: format!("{}-{}", city.area_code, rng.u32(50_000_000..90_000_000)),
                location: format!("{}市 {}", city.zh, city.district),
                longitude: round6(city.longitude + rng.f64() * 0.2 - 0.1),
                latitude: round6(city.latitude + rng.f64() * 0.2 - 0.1),
                open_status,
                validate_date: date((2027 + rng.i32(0..3), created.1, created.2)),
                close_time: if open_status == 0 {
                    format!("{} 22:00:00", date((2026, created.1, created.2)))
                } else {
                    String::new()
                },
                create_time: format!("{} 10:{:02}:00", date(created), rng.u32(0..60)),
                device_register_time: format!("{} 15:{:02}:00", date(created), rng.u32(0..60)),
                dev_count,
                has_pc: rng.bool(),
                ipc_count_limit: dev_count + rng.i64(0..=4),
                complete_config: rng.u8(..10) != 0,
                open_hour: rng.u32(9..=10),
                close_hour: rng.u32(21..=22),
            });
        }
        Tenant { stores }
    }

    /// The store with this `depId`.
    pub(crate) fn store(&self, dep_id: i64) -> Option<&DemoStore> {
        let index = usize::try_from(dep_id.checked_sub(DEMO_FIRST_STORE_ID)?).ok()?;
        self.stores.get(index)
    }

    /// The stores an `S_…` or `O_…` id names: one store, or every store under a node.
    /// `None` when the id names nothing in the tenant.
    pub(crate) fn resolve(&self, id: &str) -> Option<Vec<&DemoStore>> {
        if let Some(dep_id) = id.strip_prefix("S_") {
            return self.store(parse_id(dep_id)?).map(|s| vec![s]);
        }
        let node_id = parse_id(id.strip_prefix("O_")?)?;
        node(node_id)?;
        Some(
            self.stores
                .iter()
                .filter(|s| under(s.organize_id, node_id))
                .collect(),
        )
    }

    /// The stores the ids name, each once, in the order first named. Ids that name nothing
    /// in the tenant are left out, as stores the user cannot see.
    pub(crate) fn resolve_all(&self, ids: &[String]) -> Vec<&DemoStore> {
        let mut stores: Vec<&DemoStore> = Vec::new();
        for id in ids {
            for store in self.resolve(id).unwrap_or_default() {
                if !stores.iter().any(|s| s.dep_id == store.dep_id) {
                    stores.push(store);
                }
            }
        }
        stores
    }
}

/// Whether `id` has the form of a store (`S_…`) or organisation (`O_…`) id: the prefix and
/// something after it. Whether it names anything is [`Tenant::resolve`]'s question.
pub(crate) fn is_entity_id(id: &str) -> bool {
    ["S_", "O_"]
        .iter()
        .any(|p| id.len() > p.len() && id.starts_with(p))
}

/// Digits only (no sign, no spaces), as an id.
pub(crate) fn parse_id(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Whether node `id` is `ancestor` or below it.
fn under(mut id: i64, ancestor: i64) -> bool {
    loop {
        if id == ancestor {
            return true;
        }
        match node(id).and_then(|n| n.parent) {
            Some(parent) => id = parent,
            None => return false,
        }
    }
}

fn round6(x: f64) -> f64 {
    (x * 1_000_000.0).round() / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenant_is_the_same_every_time_and_complete() {
        let a = Tenant::generate();
        let b = Tenant::generate();
        assert_eq!(a.stores.len(), DEMO_STORE_COUNT);
        assert_eq!(format!("{:?}", a.stores), format!("{:?}", b.stores));
        let empty_codes = a.stores.iter().filter(|s| s.shop_id.is_empty()).count();
        assert!((20..120).contains(&empty_codes), "{empty_codes}");
        assert!(a.stores.iter().any(|s| !s.name.is_ascii()));
        assert!(a.stores.iter().any(|s| s.name.is_ascii()));
        let codes: Vec<&str> = a
            .stores
            .iter()
            .map(|s| s.shop_id.as_str())
            .filter(|c| !c.is_empty())
            .collect();
        let mut unique = codes.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), codes.len(), "tenant codes are unique");
    }

    #[test]
    fn ids_resolve_to_stores_and_nodes() {
        let tenant = demo();
        assert_eq!(tenant.resolve("S_1001").unwrap()[0].dep_id, 1001);
        assert_eq!(tenant.resolve("S_1300").unwrap()[0].dep_id, 1300);
        assert!(tenant.resolve("S_1301").is_none());
        assert!(tenant.resolve("S_+1001").is_none());
        assert_eq!(
            tenant.resolve(DEMO_ROOT_NODE).unwrap().len(),
            DEMO_STORE_COUNT
        );
        let regions: usize = (101..=104)
            .map(|n| tenant.resolve(&format!("O_{n}")).unwrap().len())
            .sum();
        assert_eq!(regions, DEMO_STORE_COUNT);
        assert!(tenant.resolve("O_42").is_none());
        assert!(tenant.resolve("X_1").is_none());
        let ids = ["S_1002", "O_42", "S_1001", "S_1002"].map(String::from);
        let named: Vec<i64> = tenant.resolve_all(&ids).iter().map(|s| s.dep_id).collect();
        assert_eq!(named, [1002, 1001]);
    }
}
