//! Work shared between the cores only where there is enough of it: a few items cost less
//! done in turn than handed to rayon's threads (the flagship has eight files).

use rayon::prelude::*;

/// From this many items on, their work is shared between the cores.
pub(crate) const FROM: usize = 64;

/// `f` of each item and its index, in order; on every core from [`FROM`] items.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync + Send) -> Vec<R> {
    map_when(items.len() >= FROM, items, f)
}

/// [`map`], on every core when `parallel` (for items that each stand for many).
pub(crate) fn map_when<T: Sync, R: Send>(parallel: bool, items: &[T], f: impl Fn(usize, &T) -> R + Sync + Send) -> Vec<R> {
    if parallel {
        items.par_iter().enumerate().map(|(i, x)| f(i, x)).collect()
    } else {
        items.iter().enumerate().map(|(i, x)| f(i, x)).collect()
    }
}

/// [`map`], taking the items.
pub(crate) fn map_owned<T: Send, R: Send>(items: Vec<T>, f: impl Fn(usize, T) -> R + Sync + Send) -> Vec<R> {
    if items.len() >= FROM {
        items.into_par_iter().enumerate().map(|(i, x)| f(i, x)).collect()
    } else {
        items.into_iter().enumerate().map(|(i, x)| f(i, x)).collect()
    }
}
