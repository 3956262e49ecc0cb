// The fuzz child: classifies the files its parent sends over IPC, one at a time, with the
// built classifier (dist/, which `npm test` builds first), and answers each with the verdict,
// the time it took and the process's peak RSS. It runs in its own process so that the parent
// can kill it on a hang, see it die on a crash, and read its memory without its own noise.
import { classifyFile } from '../../../dist/src/formats/classify.js';

const summary = (a) => ({
  verdict: a.verdict,
  reason: a.reason,
  format: a.format,
  kind: a.kind,
  repaired: a.repaired ? { format: a.repaired.format, length: a.repaired.bytes.length } : undefined,
});

process.on('message', (job) => {
  const bytes = job.bytes instanceof Uint8Array ? job.bytes : new Uint8Array(job.bytes);
  const start = performance.now();
  let reply;
  try {
    const activity = classifyFile(job.name, bytes);
    const ms = performance.now() - start;
    reply = { id: job.id, ok: true, ms, activity: summary(activity) };
    // What a repair would upload must itself be a file we would upload.
    if (activity.repaired && job.checkRepair !== false) {
      const again = classifyFile(`repaired.${activity.repaired.format}`, activity.repaired.bytes);
      reply.repairedVerdict = again.verdict;
      reply.repairedReason = again.reason;
    }
  } catch (error) {
    reply = { id: job.id, ok: false, ms: performance.now() - start, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  reply.maxRssKB = process.resourceUsage().maxRSS;
  process.send(reply);
});

process.send({ ready: true, maxRssKB: process.resourceUsage().maxRSS });
