//! The counting devices of the demo stores: how many (the store's `devCount`), their ids,
//! names and MAC addresses, which are offline, and how a store's flow splits among them.
//!
//! A store's entering flow is the sum of its devices' (each device counts a fixed share,
//! the last one the remainder, so the sums are exact). A device made dead with
//! [`SandboxBuilder::dead_device`](crate::SandboxBuilder::dead_device) is offline and counts
//! nothing, and its store counts that much less in every method: a store whose devices are
//! all dead counts zero.

use std::collections::BTreeSet;

use crate::synthesis::random::rng_for;
use crate::synthesis::tenant::DemoStore;

/// One in this many devices of the demo tenant is offline (but still counted, as a device
/// that lost its connection keeps its figures until it uploads them).
const OFFLINE_ONE_IN: u32 = 25;

/// A demo device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DemoDevice {
    /// Its id: the store's id times 100 plus its number.
    pub(crate) id: i64,
    /// Its store.
    pub(crate) dep_id: i64,
    /// Its number in the store, from 1.
    pub(crate) number: i64,
    /// `Entrance 1`, `Entrance 2`…
    pub(crate) name: String,
    /// 12 upper-case hex digits, unique in the tenant.
    pub(crate) mac: String,
    /// Whether it is connected.
    pub(crate) online: bool,
    /// Its share of the store's flow, in parts of the store's total weight.
    pub(crate) weight: u64,
}

/// The devices of `store`, in number order; `dead` (MAC addresses) are offline.
pub(crate) fn devices_of(store: &DemoStore, dead: &BTreeSet<String>) -> Vec<DemoDevice> {
    let count = store.dev_count.max(1);
    (1..=count)
        .map(|number| {
            let mut rng = rng_for(&store.entity(), number, "device");
            let mac = format!("0C{:06X}{:04X}", store.dep_id, number);
            let online = rng.u32(0..OFFLINE_ONE_IN) != 0 && !dead.contains(&mac);
            DemoDevice {
                id: store.dep_id * 100 + number,
                dep_id: store.dep_id,
                number,
                name: format!("Entrance {number}"),
                mac,
                online,
                weight: rng.u64(1..=4),
            }
        })
        .collect()
}

/// The entering flow each device of `devices` counted of a store's `entering` (before dead
/// devices are taken out), in device order: shares by weight, the remainder to the last.
pub(crate) fn split(entering: u64, devices: &[DemoDevice]) -> Vec<u64> {
    let total: u64 = devices.iter().map(|d| d.weight).sum::<u64>().max(1);
    let mut shares: Vec<u64> = devices
        .iter()
        .map(|d| entering * d.weight / total)
        .collect();
    let given: u64 = shares.iter().sum();
    if let Some(last) = shares.last_mut() {
        *last += entering - given;
    }
    shares
}

/// A store's entering flow with the shares of its `dead` devices taken out.
pub(crate) fn alive_share(entering: u64, devices: &[DemoDevice], dead: &BTreeSet<String>) -> u64 {
    split(entering, devices)
        .into_iter()
        .zip(devices)
        .filter(|(_, d)| !dead.contains(&d.mac))
        .map(|(n, _)| n)
        .sum()
}

/// The device with MAC address `mac` (12 upper-case hex digits), and its store.
pub(crate) fn find<'t>(
    stores: &'t [DemoStore],
    mac: &str,
    dead: &BTreeSet<String>,
) -> Option<(&'t DemoStore, DemoDevice)> {
    // The MAC names the store: `0C` + its depId in 6 hex digits + the device number.
    let dep_id = i64::from_str_radix(mac.get(2..8)?, 16).ok()?;
    let store = stores.iter().find(|s| s.dep_id == dep_id)?;
    let device = devices_of(store, dead).into_iter().find(|d| d.mac == mac)?;
    Some((store, device))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthesis::tenant;

    #[test]
    fn devices_are_unique_and_some_are_offline() {
        let none = BTreeSet::new();
        let mut macs = BTreeSet::new();
        let mut offline = 0;
        for store in &tenant::demo().stores {
            let devices = devices_of(store, &none);
            assert_eq!(devices.len() as i64, store.dev_count.max(1));
            for device in devices {
                assert!(macs.insert(device.mac.clone()), "{} twice", device.mac);
                assert_eq!(device.mac.len(), 12);
                offline += usize::from(!device.online);
                let (found, again) = find(&tenant::demo().stores, &device.mac, &none).unwrap();
                assert_eq!((found.dep_id, again), (store.dep_id, device));
            }
        }
        assert!(
            offline > 10 && offline < macs.len() / 10,
            "{offline} offline"
        );
    }

    #[test]
    fn shares_add_up_and_dead_devices_count_nothing() {
        let store = &tenant::demo().stores[0];
        let mut dead = BTreeSet::new();
        let devices = devices_of(store, &dead);
        for entering in [0, 1, 7, 1234] {
            assert_eq!(split(entering, &devices).iter().sum::<u64>(), entering);
            assert_eq!(alive_share(entering, &devices, &dead), entering);
        }
        for device in &devices {
            dead.insert(device.mac.clone());
        }
        assert_eq!(alive_share(1234, &devices, &dead), 0);
        assert!(devices_of(store, &dead).iter().all(|d| !d.online));
    }
}
