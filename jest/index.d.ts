import type { PackageResult, Report } from '../index'

/** What a Jest matcher returns. */
export interface MatcherResult {
  pass: boolean
  message: () => string
}

/**
 * Passes when no package of the report is `invalid` or `missing`; the failure message lists
 * name@version (location), code, message and remediation of each failing package.
 */
export declare function toHaveNoSignatureFailures(received: Report | PackageResult): MatcherResult

/**
 * Passes when the package named `name` (every registry package when omitted) has
 * `provenance: 'verified'`; fails naming each package that does not, and why.
 */
export declare function toHaveVerifiedProvenance(received: Report | PackageResult, name?: string): MatcherResult

/**
 * The policy's verdict, the same as the CLI's: a report passes when `exitCode` is 0 (what
 * `verify` would exit), and so does a `verifyPackage` result (what `verify-package` would exit);
 * a package entry of a tree report, which has no `exitCode`, passes when its `decision` is not
 * `fail`. The failure message names each package the policy fails with its rule, failing
 * checks, exception and fix.
 */
export declare function toPassPolicy(received: Report | PackageResult): MatcherResult

/** The matchers, for `expect.extend(matchers)` (done automatically when loaded under Jest). */
export declare const matchers: {
  toHaveNoSignatureFailures: typeof toHaveNoSignatureFailures
  toHaveVerifiedProvenance: typeof toHaveVerifiedProvenance
  toPassPolicy: typeof toPassPolicy
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** No package of the npm-sigverify report is invalid or missing. */
      toHaveNoSignatureFailures(): R
      /** The package `name` (or every registry package) has verified provenance. */
      toHaveVerifiedProvenance(name?: string): R
      /** The trust policy passes: exit code 0 (a report, a verifyPackage result), else decision not `fail`. */
      toPassPolicy(): R
    }
  }
}
