/** A package Bun is about to install (Bun's `Security.Package`). */
export interface BunPackage {
  name: string
  version: string
  requestedRange: string
  tarball: string
}

/** An advisory for Bun (`Security.Advisory`): npm-sigverify returns `fatal` ones only. */
export interface BunAdvisory {
  level: 'fatal' | 'warn'
  package: string
  url: string | null
  description: string | null
}

/**
 * The scanner Bun loads from `[install.security] scanner = "npm-sigverify/bun-scanner"`: every
 * package the project's trust policy fails (what `verify-package` would exit non-zero for) is a
 * fatal advisory, and Bun cancels the install.
 */
export declare const scanner: {
  version: '1'
  scan(info: { packages: BunPackage[] }): Promise<BunAdvisory[]>
}

/** The registry a tarball URL belongs to (everything before `/<name>/-/`), or null. */
export declare function registryOf(name: string, tarball: string): string | null
