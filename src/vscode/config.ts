import * as vscode from 'vscode';

/**
 * Typed settings, read in one place (house style 13). Parsing never throws: a bad value falls back
 * to the default. A unit test checks these keys against package.json `contributes.configuration`.
 */
export const CONFIG_KEYS = [
  'validation.enable',
  'validation.debounceMs',
  'template.compat',
  'compose.pantavisorNotes',
  'convert.deviceType',
  'convert.images',
  'pvr.path',
  'engine',
  'signatures.strict',
  'signatures.keyPath',
  'signatures.x5cPath',
  'signatures.pubkeyPath',
  'signatures.cacertsPath',
  'qemu.path',
  'qemu.profiles',
  'devices.localEndpoint',
  'devices.discoverOnLan',
  'pantahub.apiUrl',
  'pantahub.repoUrl',
  'docker.host',
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

export class Config {
  constructor(private readonly cfg: Pick<vscode.WorkspaceConfiguration, 'get'>) {}

  static read(): Config {
    return new Config(vscode.workspace.getConfiguration('pantavisor'));
  }

  private get<T>(key: ConfigKey, fallback: T, ok: (v: unknown) => v is T): T {
    const v = this.cfg.get<unknown>(key);
    return ok(v) ? v : fallback;
  }

  get validationEnabled(): boolean {
    return this.get('validation.enable', true, (v): v is boolean => typeof v === 'boolean');
  }

  get debounceMs(): number {
    const v = this.get(
      'validation.debounceMs',
      250,
      (x): x is number => typeof x === 'number' && Number.isFinite(x),
    );
    return Math.min(5000, Math.max(0, v));
  }

  /** `pantavisor.pvr.path`: a user-installed pvr; empty means `pvr` from PATH. */
  get pvrPath(): string {
    return this.get('pvr.path', '', (v): v is string => typeof v === 'string');
  }

  /** `pantavisor.engine`: which implementation backs the pvr features. */
  get engine(): 'builtin' | 'pvr' {
    return this.get('engine', 'builtin', (v): v is 'builtin' | 'pvr' => v === 'builtin' || v === 'pvr');
  }

  /** `pantavisor.signatures.strict`: warn on files no signature covers. */
  get signaturesStrict(): boolean {
    return this.get('signatures.strict', false, (v): v is boolean => typeof v === 'boolean');
  }

  /** Signature paths (machine-scoped settings); empty string when unset. */
  signaturePath(
    key: 'signatures.keyPath' | 'signatures.x5cPath' | 'signatures.pubkeyPath' | 'signatures.cacertsPath',
  ): string {
    return this.get(key, '', (v): v is string => typeof v === 'string').trim();
  }

  /** How container files are rendered: `fixed` corrects pvr 037's invalid run.json, `pvr037` matches it byte for byte. */
  get templateCompat(): 'fixed' | 'pvr037' {
    return this.get(
      'template.compat',
      'fixed' as const,
      (v): v is 'fixed' | 'pvr037' => v === 'fixed' || v === 'pvr037',
    );
  }

  /** How many Pantavisor convertibility notes compose files show. */
  get composePantavisorNotes(): 'all' | 'warnings' | 'off' {
    return this.get(
      'compose.pantavisorNotes',
      'all' as const,
      (v): v is 'all' | 'warnings' | 'off' => v === 'all' || v === 'warnings' || v === 'off',
    );
  }

  /** balena device type for conversions when balena.yml names none (empty: none). */
  get convertDeviceType(): string {
    return this.get('convert.deviceType', '', (v): v is string => typeof v === 'string').trim();
  }

  /** Whether Convert from balena imports each service's image into root.squashfs (`import`) or not (`skip`). */
  get convertImages(): 'import' | 'skip' {
    return this.get(
      'convert.images',
      'import' as const,
      (v): v is 'import' | 'skip' => v === 'import' || v === 'skip',
    );
  }

  /** The QEMU binary, or a directory of `qemu-system-*` binaries; empty means PATH. Machine scope. */
  get qemuPath(): string {
    return this.get('qemu.path', '', (v): v is string => typeof v === 'string').trim();
  }

  /** Raw preview profiles; each is checked by `parseProfile` when used. */
  get qemuProfiles(): unknown[] {
    return this.get('qemu.profiles', [] as unknown[], (v): v is unknown[] => Array.isArray(v));
  }

  /** The `pvkit serve` endpoint listed in the Devices view (empty: not listed). */
  get localEndpoint(): string {
    return this.get(
      'devices.localEndpoint',
      'http://127.0.0.1:12368/cgi-bin/pvr',
      (v): v is string => typeof v === 'string',
    ).trim();
  }

  /** Browse the LAN for devices (mDNS) when the Devices view opens or refreshes. Off by default. */
  get discoverOnLan(): boolean {
    return this.get('devices.discoverOnLan', false, (v): v is boolean => typeof v === 'boolean');
  }

  /** Pantahub's API (sign-in, pvr's `--baseurl`). */
  get pantahubApiUrl(): string {
    return this.get(
      'pantahub.apiUrl',
      'https://api.pantahub.com',
      (v): v is string => typeof v === 'string' && /^https?:\/\//.test(v),
    );
  }

  /** Pantahub's repository base for `USER/DEVICE` (pvr's `--repo-baseurl`). */
  get pantahubRepoUrl(): string {
    return this.get(
      'pantahub.repoUrl',
      'https://pvr.pantahub.com',
      (v): v is string => typeof v === 'string' && /^https?:\/\//.test(v),
    );
  }

  /** The Docker-compatible engine for local images (empty: DOCKER_HOST, the Docker context, the default socket). */
  get dockerHost(): string | undefined {
    const v = this.get('docker.host', '', (x): x is string => typeof x === 'string').trim();
    return v || undefined;
  }

  describe(): string {
    return CONFIG_KEYS.map((k) => `pantavisor.${k} = ${JSON.stringify(this.cfg.get(k))}`).join(', ');
  }
}
