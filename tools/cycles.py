#!/usr/bin/env python3
"""Module import cycles per crate: an edge A -> B when a file of module A names `crate::B...`
(or `super::`-relative paths resolving to B). Modules are files (foo.rs / foo/mod.rs)."""
import os, re, sys
from collections import defaultdict

def modules(src):
    mods = {}
    for dirpath, _, files in os.walk(src):
        for f in files:
            if not f.endswith('.rs'): continue
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, src)[:-3]
            parts = rel.split(os.sep)
            if parts[-1] in ('mod', 'lib', 'main'): parts = parts[:-1]
            mods['::'.join(parts)] = p
    return mods

def resolve(path, mods):
    # longest prefix that is a module
    parts = path.split('::')
    for n in range(len(parts), 0, -1):
        cand = '::'.join(parts[:n])
        if cand in mods: return cand
    return None

def edges(mods):
    g = defaultdict(set)
    for m, p in mods.items():
        text = open(p).read()
        text = re.sub(r'#\[cfg\(test\)\]\s*mod tests\s*\{.*', '', text, flags=re.S)
        for match in re.finditer(r'\bcrate::((?:[a-z_][a-z0-9_]*)(?:::[a-z_][a-z0-9_]*)*)', text):
            t = resolve(match.group(1), mods)
            if t is not None and t != m and not m.startswith(t + '::') and not t.startswith(m + '::') :
                g[m].add(t)
        for match in re.finditer(r'\bsuper::((?:[a-z_][a-z0-9_]*)(?:::[a-z_][a-z0-9_]*)*)', text):
            base = m.split('::')[:-1] if not p.endswith('mod.rs') else m.split('::')[:-1]
            full = '::'.join([*base, match.group(1)]) if base else match.group(1)
            t = resolve(full, mods)
            if t is not None and t != m and not m.startswith(t + '::') and not t.startswith(m + '::'):
                g[m].add(t)
    return g

def sccs(g, nodes):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)
    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1; stack.append(v); on.add(v)
        for w in g.get(v, ()):
            if w not in index: visit(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: out.append(sorted(comp))
    for v in nodes:
        if v not in index: visit(v)
    return out

total = 0
for crate in sorted(os.listdir(sys.argv[1])):
    src = os.path.join(sys.argv[1], crate, 'src')
    if not os.path.isdir(src): continue
    mods = modules(src)
    cyc = sccs(edges(mods), list(mods))
    total += len(cyc)
    for c in cyc: print(f'{crate}: cycle among {", ".join(c)}')
print(f'{total} cycles')

# Folder level: the first path segment of each module.
if len(sys.argv) > 2 and sys.argv[2] == '--folders':
    tot = 0
    for crate in sorted(os.listdir(sys.argv[1])):
        src = os.path.join(sys.argv[1], crate, 'src')
        if not os.path.isdir(src): continue
        mods = modules(src); g = edges(mods)
        fg = defaultdict(set)
        for a, bs in g.items():
            for b in bs:
                fa, fb = a.split('::')[0], b.split('::')[0]
                if fa != fb and fa and fb: fg[fa].add(fb)
        nodes = sorted({m.split('::')[0] for m in mods if m})
        for c in sccs(fg, nodes):
            tot += 1; print(f'{crate}: folder cycle among {", ".join(c)}')
    print(f'{tot} folder cycles')
