'use strict'
// A GitHub Actions workload identity, as Fulcio turns the Actions OIDC token into a certificate
// (SAN = the job workflow ref URI, extensions .1.2-.1.6 and .1.8-.1.22) and as the npm CLI
// describes the same run in its SLSA v1 provenance predicate.
const crypto = require('node:crypto')

const ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com'
const SLSA_V1 = 'https://slsa.dev/provenance/v1'
const GHA_BUILD_TYPE = 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1'

/** A stable decimal id derived from a name (so repeated runs name the same ids). */
const idFor = (text) => String(parseInt(crypto.createHash('sha256').update(text).digest('hex').slice(0, 8), 16) % 900000000 + 100000000)

/**
 * Normalizes the options of one workflow run.
 * @param {object} o
 * @param {string} o.repository `owner/repo`
 * @param {string} [o.repositoryId] numeric repository id (default: derived from the name)
 * @param {string} [o.owner] owner login (default: from `repository`)
 * @param {string} [o.ownerId] numeric owner id (default: derived from the owner)
 * @param {string} [o.workflow] workflow file path (default `.github/workflows/release.yml`)
 * @param {string} [o.ref] git ref built (default `refs/tags/v1.0.0`)
 * @param {string} [o.sha] commit (default: derived from repository and ref)
 * @param {string} [o.issuer] OIDC issuer (default GitHub Actions')
 * @param {string} [o.event] triggering event (default `push`)
 * @param {string} [o.workflowName] workflow name (default `Release`)
 * @param {string} [o.runId] run id, [o.runAttempt] attempt (default 1)
 * @param {string} [o.visibility] repository visibility (default `public`)
 * @param {string} [o.runner] `github-hosted` (default) or `self-hosted`
 * @param {string} [o.signerWorkflow] `owner/repo/path@ref` of a reusable workflow that signed
 *   (default: the workflow itself)
 * @param {string} [o.server] server URL (default `https://github.com`)
 */
function run (o) {
  if (!o || !o.repository) throw new TypeError('a GitHub identity needs `repository` (owner/repo)')
  const server = o.server || 'https://github.com'
  const owner = o.owner || o.repository.split('/')[0]
  const workflow = o.workflow || '.github/workflows/release.yml'
  const ref = o.ref || 'refs/tags/v1.0.0'
  const runId = o.runId || idFor(`${o.repository}@${ref}#run`)
  return {
    server,
    repository: o.repository,
    repositoryUri: `${server}/${o.repository}`,
    repositoryId: String(o.repositoryId || idFor(o.repository)),
    owner,
    ownerUri: `${server}/${owner}`,
    ownerId: String(o.ownerId || idFor(owner)),
    workflow,
    ref,
    sha: o.sha || crypto.createHash('sha1').update(`${o.repository}@${ref}`).digest('hex'),
    issuer: o.issuer || ACTIONS_ISSUER,
    event: o.event || 'push',
    workflowName: o.workflowName || 'Release',
    runInvocationUri: `${server}/${o.repository}/actions/runs/${runId}/attempts/${o.runAttempt || 1}`,
    visibility: o.visibility || 'public',
    runner: o.runner || 'github-hosted',
    buildConfigUri: `${server}/${o.repository}/${workflow}@${ref}`,
    buildSignerUri: o.signerWorkflow ? `${server}/${o.signerWorkflow}` : `${server}/${o.repository}/${workflow}@${ref}`,
  }
}

/** What Fulcio would certify for the run: `{ uri, issuer, claims }` for FulcioCA#issue. */
function certificateIdentity (r) {
  return {
    uri: r.buildSignerUri, // Fulcio's SAN is the job_workflow_ref: the workflow that signed
    issuer: r.issuer,
    claims: {
      2: r.event, // deprecated GitHub claims, still issued
      3: r.sha,
      4: r.workflowName,
      5: r.repository,
      6: r.ref,
      9: r.buildSignerUri,
      10: r.sha,
      11: r.runner,
      12: r.repositoryUri,
      13: r.sha,
      14: r.ref,
      15: r.repositoryId,
      16: r.ownerUri,
      17: r.ownerId,
      18: r.buildConfigUri,
      19: r.sha,
      20: r.event,
      21: r.runInvocationUri,
      22: r.visibility,
    },
  }
}

/** The SLSA v1 predicate the npm CLI writes for a GitHub Actions publish. */
function slsaPredicate (r) {
  return {
    buildDefinition: {
      buildType: GHA_BUILD_TYPE,
      externalParameters: { workflow: { ref: r.ref, repository: r.repositoryUri, path: r.workflow } },
      internalParameters: {
        github: { event_name: r.event, repository_id: r.repositoryId, repository_owner_id: r.ownerId, runner_environment: r.runner },
      },
      resolvedDependencies: [{ uri: `git+${r.repositoryUri}@${r.ref}`, digest: { gitCommit: r.sha } }],
    },
    runDetails: {
      builder: { id: `https://github.com/actions/runner/${r.runner}` },
      metadata: { invocationId: r.runInvocationUri },
    },
  }
}

module.exports = { ACTIONS_ISSUER, SLSA_V1, GHA_BUILD_TYPE, run, certificateIdentity, slsaPredicate }
