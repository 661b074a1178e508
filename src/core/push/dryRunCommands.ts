/**
 * The command lines a CI script would run for a push, as the "dry run" of Push / Convert and Push
 * prints them. Pure: the caller says which steps apply.
 */

export interface PushPlan {
  /** The checkout (repository root) the commands run in. */
  checkout: string;
  /** The target URL or USER/DEVICE. */
  target: string;
  commitMessage: string;
  /** Stage and commit the working tree first (false: post what is committed). */
  commit: boolean;
  /** A Pantahub target needs a token: the script reads it from this environment variable. */
  tokenEnv?: string;
  /** A conversion that precedes the push (e.g. `pvkit convert ...`), as argument vectors. */
  before?: string[][];
  /** Commands run in the checkout before staging (e.g. `pvkit app update <app>` per container). */
  inCheckout?: string[][];
}

/** Quotes one argument for a POSIX shell (only when needed). */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./#-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The commands, one shell line each, in order. */
export function dryRunCommands(plan: PushPlan): string[] {
  const line = (argv: string[]): string => argv.map(shellQuote).join(' ');
  const out: string[] = [];
  for (const b of plan.before ?? []) out.push(line(b));
  out.push(line(['cd', plan.checkout]));
  for (const c of plan.inCheckout ?? []) out.push(line(c));
  if (plan.commit) {
    out.push(line(['pvkit', 'add', '.']));
    out.push(line(['pvkit', 'commit', '-m', plan.commitMessage]));
  }
  const post = ['pvkit', 'post', '-m', plan.commitMessage, plan.target];
  out.push(plan.tokenEnv ? `PVR_ACCESSTOKEN="$${plan.tokenEnv}" ${line(post)}` : line(post));
  return out;
}
