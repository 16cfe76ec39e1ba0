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

/// `a` and `b`, at once when `parallel`.
pub(crate) fn join_when<A: Send, B: Send>(parallel: bool, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    if parallel { rayon::join(a, b) } else { (a(), b()) }
}

/// [`map`], taking the items.
pub(crate) fn map_owned<T: Send, R: Send>(items: Vec<T>, f: impl Fn(usize, T) -> R + Sync + Send) -> Vec<R> {
    if items.len() >= FROM {
        items.into_par_iter().enumerate().map(|(i, x)| f(i, x)).collect()
    } else {
        items.into_iter().enumerate().map(|(i, x)| f(i, x)).collect()
    }
}

/// [`map`] with the item of most `work` started first, beside the rest: one large item (a
/// panel file with every bid's marks, among thousands of small bid files) then runs while
/// the others are shared out, instead of alone on one core after them. Each result is in
/// its item's place (all are `Some`; the results are not moved to be put in order).
pub(crate) fn map_largest_first<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&T) -> usize,
    f: impl Fn(usize, &T) -> R + Sync + Send,
) -> Vec<Option<R>> {
    let largest = items.iter().enumerate().max_by_key(|(_, x)| work(x)).map(|(i, _)| i);
    let (Some(big), true) = (largest, items.len() >= FROM) else {
        return items.iter().enumerate().map(|(i, x)| Some(f(i, x))).collect();
    };
    let (first, mut rest) = rayon::join(
        || items.get(big).map(|x| f(big, x)),
        || items.par_iter().enumerate().map(|(i, x)| (i != big).then(|| f(i, x))).collect::<Vec<Option<R>>>(),
    );
    if let Some(slot) = rest.get_mut(big) {
        *slot = first;
    }
    rest
}
