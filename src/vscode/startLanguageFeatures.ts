import type { Ctx } from './ctx';
import { startSignatures } from './signatures/startSignatures';

/** Starts diagnostics, completion and hover for Pantavisor revisions. */
export function startLanguageFeatures(_ctx: Ctx): void {
  startSignatures(_ctx);
  // Filled in by the revision language service.
}
