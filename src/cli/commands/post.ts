import { pvrCommand } from '../pvrCommand';
import { PvrError } from '../../platform/repo/PvrError';
import { formatConfig } from '../../platform/repo/Repository';
import { writeAtomic } from '../../platform/repo/objectStore';
import { clientFromEnv } from '../../platform/remote/clientFromEnv';
import { postRevision } from '../../platform/remote/postRevision';
import { RemoteError } from '../../platform/remote/PvrRemote';
import { resolveRemoteRef } from '../../platform/remote/remoteUrl';
import { join } from 'node:path';

export const postCommand = pvrCommand({
  name: 'post',
  usage: 'pvr post [command options] [<url>|<USER>/<DEVICE>]',
  summary: 'post the committed revision to a device or Pantahub',
  description:
    'upload the objects the remote lacks, then post the committed state (default target: the last one used)',
  flags: [
    {
      name: 'envelope',
      short: 'e',
      type: 'string',
      placeholder: 'value',
      help: 'JSON envelope the post fields are added to',
    },
    {
      name: 'commit-msg',
      short: 'm',
      type: 'string',
      placeholder: 'value',
      help: 'commit message of the posted revision',
    },
    {
      name: 'rev',
      type: 'string',
      placeholder: 'value',
      help: 'revision number to post as (default -1: the next one)',
    },
    { name: 'force', short: 'f', type: 'bool', help: 'upload objects again even when the remote has them' },
  ],
  run: async ({ ctx, flags, args, open }) => {
    if (args.length > 1) throw new PvrError('Post can have at most 1 argument. See --help.', 2);
    const repo = await open();
    const arg = args[0] ?? repo.config.DefaultPostUrl;
    if (!arg)
      throw new PvrError('no target given and none used before; give a URL or USER/DEVICE. See --help.', 2);
    let url: string;
    try {
      const ref = resolveRemoteRef(arg, { forPost: true, repoBaseUrl: ctx.env['PVR_REPO_BASEURL'] });
      if (!ref) {
        throw new Error(
          `${arg} is not a remote: give http(s)://HOST/…/cgi-bin/pvr for a device or USER/DEVICE for Pantahub`,
        );
      }
      url = ref.url;
    } catch (e) {
      throw new PvrError((e as Error).message, 2);
    }
    const revText = typeof flags['rev'] === 'string' ? flags['rev'] : '-1';
    if (!/^-?\d+$/.test(revText)) throw new PvrError(`--rev ${revText} is not a number`, 3);
    const client = clientFromEnv(ctx.env, {
      signal: ctx.signal,
      onRetry: (r) =>
        ctx.stderr(
          `retrying ${r.method} ${r.url} in ${(r.delayMs / 1000).toFixed(1)}s (attempt ${r.attempt + 1}): ${r.reason}\n`,
        ),
    });
    try {
      const res = await postRevision(repo, url, {
        client,
        envelope: typeof flags['envelope'] === 'string' ? flags['envelope'] : undefined,
        commitMsg: typeof flags['commit-msg'] === 'string' ? flags['commit-msg'] : undefined,
        rev: Number(revText),
        force: flags['force'] === true,
        onEvent: (e) => {
          if (e.kind === 'resumed') ctx.stderr(`${e.name} [resuming at byte ${e.offset}]\n`);
          if (e.kind === 'object') {
            ctx.stderr(
              `${e.name} ${e.status === 'uploaded' ? '[OK]' : e.status === 'dupe' ? '[OK - Dupe]' : '[OK - present]'}\n`,
            );
          }
        },
      });
      ctx.stderr(
        `Uploaded ${res.uploaded} objects (${res.uploadedBytes} bytes, ${client.bytesSent} bytes sent in all); ${res.present} already on the remote\n`,
      );
      ctx.stderr(
        `Successfully posted Revision ${res.rev} (${res.stateSha.slice(0, 8)}) to device id ${res.trailId}\n`,
      );
    } catch (e) {
      if (!(e instanceof RemoteError)) throw e;
      const msg = `post to ${url} failed at step "${e.step}"${e.object ? ` (object ${e.object})` : ''}: ${e.message}`;
      ctx.stdout(`ERROR: ${msg}\n`);
      throw new PvrError(
        `${msg}\nRe-run the same pvkit post: objects already uploaded are not sent again.`,
        3,
      );
    } finally {
      client.dispose();
    }
    repo.config.DefaultPostUrl = arg;
    if (!repo.config.DefaultGetUrl) repo.config.DefaultGetUrl = arg;
    if (!repo.config.DefaultPutUrl) repo.config.DefaultPutUrl = arg;
    try {
      await writeAtomic(join(repo.pvrDir, 'config'), formatConfig(repo.config));
    } catch (e) {
      ctx.stderr(`WARNING: couldnt save config ${(e as Error).message}\n`);
    }
    return 0;
  },
});
