//! Yarn's `yarn.lock`, in both of its formats: Yarn classic's own syntax ([`classic`]) and
//! Yarn Berry's YAML ([`berry`]). Both record what is installed but not where: their entries
//! become a [`locked::LockedGraph`] of descriptors, placeholders and explicit edges.

pub(crate) mod berry;
pub(crate) mod classic;
pub(crate) mod locked;
