//! One writer per format, each turning any [`Doc`](super::Doc) into text. Writers know
//! layout, never subjects: nothing here scores, analyses or decides what to say.

pub(crate) mod csv;
pub(crate) mod markdown;
pub(crate) mod text;
