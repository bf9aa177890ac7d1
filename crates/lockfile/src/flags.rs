//! Dependency-type flags for a `node_modules` walk, computed the way npm's arborist does
//! (`calc-dep-flags`): every package starts as dev, optional, devOptional and peer; walking the
//! edges from the root clears what a non-dev, non-optional, non-peer path reaches.
//! The walk runs to a fixpoint: flags only ever go from set to clear, so it terminates.

use std::collections::HashMap;

use crate::model::Package;

/// The kind of a dependency edge, from the `package.json` field it is declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EdgeKind {
    Prod,
    Optional,
    Peer,
    PeerOptional,
    /// `devDependencies`: only followed from the root and from linked folders (npm's "tops").
    Dev,
}

/// The edges out of one folder, and where module resolution starts from (its own folder,
/// which for a link is the target's).
#[derive(Debug, Clone, Default)]
pub(crate) struct Edges {
    pub(crate) base: String,
    pub(crate) edges: Vec<(String, EdgeKind)>,
}

#[derive(Clone, Copy)]
struct State {
    dev: bool,
    optional: bool,
    dev_optional: bool,
    peer: bool,
}

const ROOT: State = State {
    dev: false,
    optional: false,
    dev_optional: false,
    peer: false,
};

/// Sets the flags of `packages` (whose edges are `edges`, same order) from the root's edges.
/// Packages no edge reaches keep every flag, like npm's extraneous packages.
pub(crate) fn calc_flags(tops: &[Edges], packages: &mut [Package], edges: &[Edges]) {
    let index: HashMap<&str, usize> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.location.as_str(), i))
        .collect();
    let all_set = State {
        dev: true,
        optional: true,
        dev_optional: true,
        peer: true,
    };
    let mut state = vec![all_set; packages.len()];
    let mut queue: Vec<usize> = tops
        .iter()
        .flat_map(|top| visit(&index, ROOT, top, &mut state))
        .collect();
    // Each node can only lose each of its four flags once, so this loop is bounded.
    while let Some(i) = queue.pop() {
        queue.extend(visit(&index, state[i], &edges[i], &mut state));
    }
    for (pkg, s) in packages.iter_mut().zip(state) {
        pkg.dev = s.dev;
        pkg.optional = s.optional;
        // npm writes devOptional only where neither dev nor optional is.
        pkg.dev_optional = s.dev_optional && !s.dev && !s.optional;
        pkg.peer = s.peer;
    }
}

/// [`calc_flags`] over an explicit graph (pnpm, Yarn, Bun lockfiles): `root` holds the edges
/// of every importer or workspace, `edges[i]` those of `packages[i]`, both by package index.
pub(crate) fn calc_flags_graph(
    root: &[(usize, EdgeKind)],
    edges: &[Vec<(usize, EdgeKind)>],
    packages: &mut [Package],
) {
    let all_set = State {
        dev: true,
        optional: true,
        dev_optional: true,
        peer: true,
    };
    let mut state = vec![all_set; packages.len()];
    let visit_graph = |from: State, out: &[(usize, EdgeKind)], state: &mut [State]| {
        let mut changed = Vec::new();
        for &(to, kind) in out {
            if to < state.len() && apply(from, kind, &mut state[to]) {
                changed.push(to);
            }
        }
        changed
    };
    let mut queue = visit_graph(ROOT, root, &mut state);
    // Bounded like calc_flags: each node loses each flag at most once.
    while let Some(i) = queue.pop() {
        let next = visit_graph(state[i], &edges[i], &mut state);
        queue.extend(next);
    }
    for (pkg, s) in packages.iter_mut().zip(state) {
        pkg.dev = s.dev;
        pkg.optional = s.optional;
        pkg.dev_optional = s.dev_optional && !s.dev && !s.optional;
        pkg.peer = s.peer;
    }
}

/// Applies the edges of one node; returns the nodes whose flags changed.
fn visit(
    index: &HashMap<&str, usize>,
    from: State,
    node: &Edges,
    state: &mut [State],
) -> Vec<usize> {
    let mut changed = Vec::new();
    for (name, kind) in &node.edges {
        if let Some(to) = resolve(index, &node.base, name) {
            if apply(from, *kind, &mut state[to]) {
                changed.push(to);
            }
        }
    }
    changed
}

/// Clears `to`'s flags that the edge from `from` disproves; true when anything changed.
fn apply(from: State, kind: EdgeKind, to: &mut State) -> bool {
    let dev = kind == EdgeKind::Dev;
    let optional = matches!(kind, EdgeKind::Optional | EdgeKind::PeerOptional);
    let peer = matches!(kind, EdgeKind::Peer | EdgeKind::PeerOptional);
    let from_dev_optional = from.dev_optional || from.dev || from.optional;
    let unset_dev_optional = !from_dev_optional && !dev && !optional;
    let before = (to.dev, to.optional, to.dev_optional, to.peer);
    if !from.peer && !peer {
        to.peer = false;
    }
    if unset_dev_optional {
        to.dev_optional = false;
    }
    if unset_dev_optional || (!from.dev && !dev) {
        to.dev = false;
    }
    if unset_dev_optional || (!from.optional && !optional) {
        to.optional = false;
    }
    before != (to.dev, to.optional, to.dev_optional, to.peer)
}

/// Node's module resolution over npm locations: `<dir>/node_modules/<name>` for the folder
/// and each ancestor that is not itself a `node_modules` folder, never leaving the project.
pub(crate) fn resolve(index: &HashMap<&str, usize>, base: &str, name: &str) -> Option<usize> {
    let mut dir = base;
    loop {
        let last = dir.rsplit('/').next().unwrap_or(dir);
        if last != "node_modules" {
            let candidate = match dir {
                "" => format!("node_modules/{name}"),
                _ => format!("{dir}/node_modules/{name}"),
            };
            if let Some(&i) = index.get(candidate.as_str()) {
                return Some(i);
            }
        }
        if dir.is_empty() {
            return None;
        }
        dir = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
        // A folder outside the project (`../x`) only resolves inside itself.
        if dir == ".." || dir.starts_with("../") {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index<'a>(locations: &[&'a str]) -> HashMap<&'a str, usize> {
        locations.iter().enumerate().map(|(i, l)| (*l, i)).collect()
    }

    #[test]
    fn resolution_walks_up_like_node() {
        let idx = index(&[
            "node_modules/a",
            "node_modules/a/node_modules/b",
            "node_modules/b",
        ]);
        assert_eq!(resolve(&idx, "node_modules/a", "b"), Some(1));
        assert_eq!(resolve(&idx, "node_modules/a/node_modules/b", "b"), Some(1));
        assert_eq!(resolve(&idx, "node_modules/b", "a"), Some(0));
        assert_eq!(resolve(&idx, "packages/ws", "b"), Some(2));
        assert_eq!(resolve(&idx, "", "c"), None);
        assert_eq!(resolve(&idx, "../outside", "b"), None);
    }

    #[test]
    fn edge_rules_follow_arborist() {
        let all = State {
            dev: true,
            optional: true,
            dev_optional: true,
            peer: true,
        };
        let flags = |s: State| (s.dev, s.optional, s.dev_optional, s.peer);
        let cases = [
            (EdgeKind::Prod, (false, false, false, false)),
            (EdgeKind::Dev, (true, false, true, false)),
            (EdgeKind::Optional, (false, true, true, false)),
            (EdgeKind::Peer, (false, false, false, true)),
            (EdgeKind::PeerOptional, (false, true, true, true)),
        ];
        for (kind, expected) in cases {
            let mut to = all;
            assert!(apply(ROOT, kind, &mut to));
            assert_eq!(flags(to), expected, "{kind:?} from the root");
        }
        // From a dev package, a prod edge keeps dev but clears optional.
        let dev_node = State {
            dev: true,
            optional: false,
            dev_optional: true,
            peer: false,
        };
        let mut to = all;
        apply(dev_node, EdgeKind::Prod, &mut to);
        assert_eq!(flags(to), (true, false, true, false));
        assert!(
            !apply(dev_node, EdgeKind::Prod, &mut to),
            "nothing left to clear"
        );
    }
}
