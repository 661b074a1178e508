/** The `source` of every compose diagnostic. */
export const COMPOSE_SOURCE = 'balena-compose';

/**
 * Stable diagnostic codes. Never renumber: users silence codes and scripts match them.
 * `generic` codes are what any compose tool reports (left to the YAML extension when it is active).
 */
export const CODES = {
  /** YAML syntax error (generic). */
  syntax: 'BAL001',
  /** Schema error: unknown field or wrong type (generic). */
  schema: 'BAL002',
  /** The document is not a mapping (generic). */
  notMapping: 'BAL003',
  /** balena's builder rejects the field or value. */
  rejected: 'BAL010',
  /** balena accepts the field, then removes it. */
  dropped: 'BAL011',
  /** Documented as unsupported by balena; the supervisor does not apply it. */
  ignored: 'BAL012',
  /** Compose format 3 declared; balena follows 2.4. */
  version: 'BAL013',
  /** Bind mount (balena allows only named volumes). */
  bindMount: 'BAL020',
  /** Long-syntax volume. */
  longVolume: 'BAL021',
  /** A service uses a named volume that is not declared (generic). */
  undefinedVolume: 'BAL022',
  /** Volume type balena rejects. */
  volumeType: 'BAL023',
  /** Volume without source or target. */
  volumeIncomplete: 'BAL024',
  /** Bind mount of a host path that a feature label provides. */
  featureBindMount: 'BAL025',
  /** `restart: no` unquoted (a boolean in YAML 1.1). */
  restartBoolean: 'BAL030',
  /** Restart policy balena does not know (falls back to `always`). */
  restartUnknown: 'BAL031',
  /** `${VAR}` interpolation. */
  interpolation: 'BAL032',
  /** Unknown `io.balena.features.*` label. */
  unknownFeatureLabel: 'BAL040',
  /** Legacy `io.resin.*` label. */
  legacyLabel: 'BAL041',
  /** Label value is not a string. */
  labelNotString: 'BAL042',
  /** Label value balena does not understand. */
  labelValue: 'BAL043',
  /** Reserved `io.balena.private.*` namespace. */
  privateLabel: 'BAL044',
  /** Requirement label with an invalid value (the builder rejects it). */
  requirementLabel: 'BAL045',
  /** Build context does not exist. */
  contextMissing: 'BAL050',
  /** No Dockerfile for the build context. */
  dockerfileMissing: 'BAL051',
  /** Remote build context. */
  remoteContext: 'BAL052',
  /** `%%BALENA_*%%` variable balena does not define. */
  unknownBuildVariable: 'BAL053',
  /** `extends.file` does not exist. */
  extendsMissing: 'BAL054',
  /** `ports` under `network_mode: host`. */
  portsHost: 'BAL061',
  /** Dangerous value balena warns about. */
  dangerousValue: 'BAL062',
  /** Long-syntax port fields balena drops. */
  portFieldDropped: 'BAL064',
  /** balena.yml syntax error. */
  balenaYmlSyntax: 'BAL070',
  /** balena.yml schema problem. */
  balenaYmlSchema: 'BAL071',
  /** Pantavisor: mapped or approximated. */
  pvNote: 'BAL100',
  /** Pantavisor: no equivalent. */
  pvDropped: 'BAL101',
} as const;

/** Codes a plain compose tool (or the Red Hat YAML extension) also reports. */
export const GENERIC_CODES: ReadonlySet<string> = new Set([CODES.syntax, CODES.schema, CODES.notMapping]);
