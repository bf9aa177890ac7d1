//! The content index's entries in the evidence cache (see `check::contents::index`).

use sigverify_cache::{Entry, Namespace};

use super::EvidenceCache;

impl EvidenceCache {
    /// True when entries are authenticated under a secret kept outside the cache: only then
    /// may an entry decide anything beyond saving a download.
    pub fn authenticated(&self) -> bool {
        self.cache.authenticated()
    }

    /// The content index entries found for `keys`, authenticated ones only.
    pub async fn contents_lookup(&self, keys: &[String]) -> Vec<(String, Vec<u8>)> {
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let found = match &self.packs {
            Some(packs) => packs.contents.get_many(&refs).await,
            None => match self.cache.get_many(Namespace::Contents, &refs).await {
                Ok(found) => found,
                Err(_) => return Vec::new(),
            },
        };
        keys.iter()
            .zip(found)
            .filter_map(|(key, entry)| {
                let entry = entry.filter(|e| e.authenticated)?;
                Some((key.clone(), entry.body))
            })
            .collect()
    }

    /// Writes content index entries in one batch (a cache that fails to store is only a
    /// slower next run).
    pub async fn contents_store(&self, items: Vec<(String, Vec<u8>)>) {
        let entries: Vec<(String, Entry)> = items
            .into_iter()
            .map(|(k, body)| (k, Entry::new(body)))
            .collect();
        let refs: Vec<(&str, &Entry)> = entries.iter().map(|(k, e)| (k.as_str(), e)).collect();
        let ttl = Namespace::Contents.default_ttl();
        match &self.packs {
            Some(packs) => {
                packs.contents.add(&refs, ttl);
                let _ = packs.contents.finish().await;
            }
            None => {
                let _ = self.cache.put_many(Namespace::Contents, &refs, ttl).await;
            }
        }
    }
}
