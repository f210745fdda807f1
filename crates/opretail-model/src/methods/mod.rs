//! One file per gateway method: its operation type, its output type, its method name and
//! parameter names, its [`Operation`](crate::Operation) impl and its unit tests.
//!
//! Each file's public items reach the crate root through the glob below, so adding a method
//! is one new file here plus its `mod` and `pub use` pair: Rust knows a module only once it
//! is declared, and nothing else in the SDK lists methods.

mod get_age_group_and_gender_distribution;
mod get_all_hotspot_shops;
mod get_departments;
mod get_deps_having_flow_device;
mod get_dept_list_by_page;
mod get_device_list;
mod get_many_shops_passenger_indicator_data;
mod get_passenger_indicator_data;
mod get_total_data;
mod list_device_passenger_indicator;
mod list_stores;
mod login;
mod raw_call;
mod report_sales;
mod report_sales_hourly;
mod send_order;

pub use get_age_group_and_gender_distribution::*;
pub use get_all_hotspot_shops::*;
pub use get_departments::*;
pub use get_deps_having_flow_device::*;
pub use get_dept_list_by_page::*;
pub use get_device_list::*;
pub use get_many_shops_passenger_indicator_data::*;
pub use get_passenger_indicator_data::*;
pub use get_total_data::*;
pub use list_device_passenger_indicator::*;
pub use list_stores::*;
pub use login::*;
pub use raw_call::*;
pub use report_sales::*;
pub use report_sales_hourly::*;
pub use send_order::*;
