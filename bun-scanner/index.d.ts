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
 * fatal advisory, and Bun cancels the install; so is every package whose tarball is not a
 * registry tarball of the registry the project configures for its name (`ELOCKFILESOURCE`).
 */
export declare const scanner: {
  version: '1'
  scan(info: { packages: BunPackage[] }): Promise<BunAdvisory[]>
}

/**
 * The registry a tarball URL belongs to, as `verify` reads a lockfile's `resolved`: the base of
 * `<base><name>/-/<unscoped>-<version>.tgz` (also `@scope%2fname`), without credentials or
 * query; null for any other URL (the scanner fails those packages with `ELOCKFILESOURCE`).
 */
export declare function registryOf(name: string, tarball: string, version?: string): string | null
