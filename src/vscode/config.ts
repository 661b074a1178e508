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

  describe(): string {
    return CONFIG_KEYS.map((k) => `pantavisor.${k} = ${JSON.stringify(this.cfg.get(k))}`).join(', ');
  }
}
