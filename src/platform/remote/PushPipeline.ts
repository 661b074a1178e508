import { join } from 'node:path';
import { addFiles } from '../repo/add';
import { commitRepo } from '../repo/commit';
import { acquireLock } from '../repo/lock';
import { openRepo, recoverRepo } from '../repo/Repository';
import { HttpClient, type HttpClientOptions } from './HttpClient';
import { postRevision, type PostEvent, type PostResult } from './postRevision';
import { RemoteError } from './PvrRemote';

export type PushStepId = 'convert' | 'images' | 'add' | 'commit' | 'post';
export type StepStatus = 'pending' | 'running' | 'done' | 'failed';

export interface PushStep {
  id: PushStepId;
  title: string;
  status: StepStatus;
  /** What happened (`uploaded 3 objects`), or why it failed. */
  detail?: string;
}

/** A step run before staging (Convert and Push: convert, import images); returns its detail. */
export interface PipelineTask {
  id: PushStepId;
  title: string;
  run: () => Promise<string>;
}

export interface PushPipelineOptions {
  /** The checkout (repository root). */
  root: string;
  /** pvr's config dir (hash cache, default objects dir). */
  configDir?: string;
  /** The endpoint URL (already resolved). */
  url: string;
  message: string;
  /** Stage and commit the working tree first. */
  commit: boolean;
  /** Steps before staging, in order (each retried alone like the others). */
  before?: readonly PipelineTask[];
  client?: HttpClientOptions;
  onChange?: (steps: readonly PushStep[], event?: PostEvent) => void;
}

/**
 * Push of a checkout as named steps (optional steps before, then stage, commit, post), each with
 * its own outcome. `run()`
 * starts at the first step not done, so after a failure it retries the failed step only; a
 * cancelled run (AbortSignal in `client.signal`) leaves the repository as a cancelled pvkit
 * command does (commits are all-or-nothing, uploads are re-sent only if missing).
 */
export class PushPipeline {
  readonly steps: PushStep[];
  result: PostResult | undefined;
  /** Receives every step change and post event (replaceable between runs). */
  onChange: PushPipelineOptions['onChange'];

  constructor(private readonly opts: PushPipelineOptions) {
    this.onChange = opts.onChange;
    this.steps = [
      ...(opts.before ?? []).map((t) => ({ id: t.id, title: t.title, status: 'pending' as const })),
      ...(opts.commit
        ? [
            { id: 'add' as const, title: 'Stage files', status: 'pending' as const },
            { id: 'commit' as const, title: 'Commit', status: 'pending' as const },
          ]
        : []),
      { id: 'post', title: 'Post to target', status: 'pending' },
    ];
  }

  get failed(): PushStep | undefined {
    return this.steps.find((s) => s.status === 'failed');
  }

  private emit(e?: PostEvent): void {
    this.onChange?.(this.steps, e);
  }

  async run(): Promise<PostResult | undefined> {
    for (const step of this.steps) {
      if (step.status === 'done') continue;
      step.status = 'running';
      delete step.detail;
      this.emit();
      try {
        step.detail = await this.runStep(step.id);
        step.status = 'done';
        this.emit();
      } catch (e) {
        step.status = 'failed';
        step.detail =
          e instanceof RemoteError
            ? `${e.step}${e.object ? ` (${e.object})` : ''}: ${e.message}`
            : e instanceof Error
              ? e.message
              : String(e);
        this.emit();
        throw e;
      }
    }
    return this.result;
  }

  private async runStep(id: PushStepId): Promise<string> {
    this.opts.client?.signal?.throwIfAborted();
    const task = this.opts.before?.find((t) => t.id === id);
    if (task) return task.run();
    const pvrDir = join(this.opts.root, '.pvr');
    if (id === 'post') {
      const repo = await openRepo(this.opts.root, this.opts.configDir);
      const client = new HttpClient(this.opts.client ?? {});
      try {
        this.result = await postRevision(repo, this.opts.url, {
          client,
          commitMsg: this.opts.message,
          onEvent: (e) => this.emit(e),
        });
      } finally {
        client.dispose();
      }
      const r = this.result;
      return `revision ${r.rev} (${r.stateSha.slice(0, 8)}): ${r.uploaded} objects uploaded, ${r.present} already there`;
    }
    const release = await acquireLock(pvrDir, 60_000);
    try {
      await recoverRepo(pvrDir);
      const repo = await openRepo(this.opts.root, this.opts.configDir);
      if (id === 'add') {
        const warnings: string[] = [];
        await addFiles(repo, ['.'], false, (t) => warnings.push(t.trim()));
        return warnings.join('; ');
      }
      const lines: string[] = [];
      await commitRepo(repo, { message: this.opts.message, progress: (l) => lines.push(l) });
      return `${lines.filter((l) => /^(Adding|Removing|Committing)/.test(l)).length} changes`;
    } finally {
      await release();
    }
  }
}
