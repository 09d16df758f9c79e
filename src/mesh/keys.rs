//! Composite keys of the index's maps, stored owned and looked up with borrowed `&str`s: a
//! `(namespace, name)` or `(namespace, label key, label value)` lookup must not allocate, since
//! rules make one for nearly every reference in the mesh.

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};

use super::HashMap;

/// An owned key of `N` strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key<const N: usize>(pub [String; N]);

impl<const N: usize> Key<N> {
    pub fn new(parts: [&str; N]) -> Self {
        Key(parts.map(str::to_string))
    }

    pub fn part(&self, i: usize) -> &str {
        &self.0[i]
    }
}

/// Anything that reads as `N` strings: an owned `Key` or an array of borrowed ones.
pub trait AsKey<const N: usize> {
    fn parts(&self) -> [&str; N];
}

impl<const N: usize> AsKey<N> for Key<N> {
    fn parts(&self) -> [&str; N] {
        std::array::from_fn(|i| self.0[i].as_str())
    }
}

impl<const N: usize> AsKey<N> for [&str; N] {
    fn parts(&self) -> [&str; N] {
        *self
    }
}

impl<'a, const N: usize> Borrow<dyn AsKey<N> + 'a> for Key<N> {
    fn borrow(&self) -> &(dyn AsKey<N> + 'a) {
        self
    }
}

// Both hash their parts in order, so a borrowed key finds its owned twin.
impl<const N: usize> Hash for Key<N> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parts().hash(state);
    }
}

impl<const N: usize> Hash for dyn AsKey<N> + '_ {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parts().hash(state);
    }
}

impl<const N: usize> PartialEq for dyn AsKey<N> + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl<const N: usize> Eq for dyn AsKey<N> + '_ {}

/// The borrowed form of a key, for `HashMap::get`.
pub fn key<'a, const N: usize>(parts: &'a [&'a str; N]) -> &'a (dyn AsKey<N> + 'a) {
    parts
}

/// Appends `value` to the list under `key`, allocating the key only when it is new.
pub fn push<K, Q, V>(map: &mut HashMap<K, Vec<V>>, key: &Q, owned: impl FnOnce() -> K, value: V)
where
    K: Borrow<Q> + std::hash::Hash + Eq,
    Q: ?Sized + std::hash::Hash + Eq,
{
    match map.get_mut(key) {
        Some(list) => list.push(value),
        None => {
            map.insert(owned(), vec![value]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrowed_keys_find_owned_ones() {
        let mut map: HashMap<Key<2>, u32> = HashMap::default();
        map.insert(Key::new(["ns", "a"]), 1);
        map.insert(Key::new(["ns", "b"]), 2);
        map.insert(Key::new(["nsa", ""]), 3);
        assert_eq!(map.get(key(&["ns", "a"])), Some(&1));
        assert_eq!(map.get(key(&["ns", "b"])), Some(&2));
        // The parts stay apart: ("ns", "a") is not ("nsa", "").
        assert_eq!(map.get(key(&["nsa", ""])), Some(&3));
        assert_eq!(map.get(key(&["n", "sa"])), None);
        let mut lists: HashMap<Key<3>, Vec<u32>> = HashMap::default();
        for (i, parts) in [["ns", "app", "x"], ["ns", "app", "x"], ["ns", "app", "y"]]
            .iter()
            .enumerate()
        {
            push(&mut lists, key(parts), || Key::new(*parts), i as u32);
        }
        assert_eq!(lists.len(), 2);
        assert_eq!(lists.get(key(&["ns", "app", "x"])), Some(&vec![0, 1]));
    }
}
