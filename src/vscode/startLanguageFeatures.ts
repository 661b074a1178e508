import type { Ctx } from './ctx';
import { startComposeFeatures } from './compose/startComposeFeatures';

/** Starts diagnostics, completion and hover for Pantavisor revisions. */
export function startLanguageFeatures(_ctx: Ctx): void {
  // Filled in by the revision language service.
  startComposeFeatures(_ctx);
}
