// The committed Linux TCP recordings (fixtures/linux/, which tcp-vs-linux.test.ts replays on the
// model) still describe the kernel the tests run on: fixtures/record-linux.py records the three short
// scenarios again in network namespaces, and the new recording, normalised, must equal the committed
// one where Linux is deterministic — the RST on a closed port, and the routed and IPv6 transfers' calls,
// handshake, data segments, close (flags and numbers) and `ss` listings. The long scenarios (the
// RTO back-offs, TIME-WAIT's minute) are left to a manual re-record. Needs root, iproute2, tcpdump, netstat,
// ethtool, ss and python3: skipped with the reason without them, failing under CI=true.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { needs } from '@netloom/wire/testing/test-environment';
import { afterAll, beforeAll, expect } from 'vitest';
import { normaliseListing, readRecording, recordedSegments, segmentLine, type LinuxRecording, type NormalSegment } from '../testing/tcp-linux-recording.js';

const need = needs({ netns: true, tools: ['tcpdump', 'ethtool', 'ss', 'netstat', 'python3'] });
const recorder = new URL('./fixtures/record-linux.py', import.meta.url).pathname;
const SCENARIOS = ['rst-closed-port', 'transfer-routed', 'transfer-direct6'];

/** What of a recording is Linux's own and not the moment's: the calls' outcomes, segments without times and windows, listings. */
function deterministic(recording: LinuxRecording): { calls: string[]; segments: string[]; listings: string[] } {
  const { segments, clientPort } = recordedSegments(recording, 'client-eth0');
  const fin = segments.findIndex((x) => x.flags.includes('F'));
  const line = (x: NormalSegment, withWindow: boolean) => segmentLine(withWindow ? x : { ...x, win: 0 });
  return {
    calls: recording.steps.map((s) => `${s.role}: ${s.call}: ${s.result.errno ?? s.result.bytes ?? 'ok'}`),
    // Windows after the handshake follow how fast the Python agent read, and the flags of bulk data
    // where its writes were cut: the data is compared by its ranges, the close without windows.
    segments: [
      ...segments.slice(0, 3).map((x) => line(x, true)),
      ...segments.slice(3).filter((x) => x.length > 0).map((x) => `${x.from} ${x.seq}:${x.seq + x.length}`).sort(),
      ...(fin < 0 ? [] : segments.slice(fin).map((x) => line(x, false))),
    ],
    listings: recording.ss.map((l) => `${l.stage} ${l.node}# ${l.command}\n${normaliseListing(l.output, clientPort)}`),
  };
}

need.describe('the TCP recordings, recorded again on this kernel', () => {
  let directory = '';
  let run = { status: -1, stderr: '' };
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'netloom-tcp-record-'));
    // The kill switch only stops a hang: the three scenarios take about 9 s, the same at every
    // NETLOOM_TEST_SCALE, and 60 s leaves over 5x for a busy machine. The hook's own bound is a
    // little longer, so that a killed recorder is reported by 'record-linux.py runs' with its stderr.
    const r = spawnSync('python3', [recorder, '--out', directory, ...SCENARIOS], { encoding: 'utf8', timeout: 60_000 });
    run = { status: r.status ?? -1, stderr: r.stderr ?? '' };
  }, 70_000);
  afterAll(() => {
    if (directory !== '') rmSync(directory, { recursive: true, force: true });
  });

  need.it('record-linux.py runs', () => {
    expect(run.stderr).toBe(SCENARIOS.map((s) => `recorded ${s}\n`).join(''));
    expect(run.status).toBe(0);
  });

  for (const scenario of SCENARIOS) {
    need.it(`${scenario}: the same calls, segments and ss listings as the committed recording`, () => {
      const fresh = deterministic(readRecording(scenario, pathToFileURL(`${directory}/`)));
      const committed = deterministic(readRecording(scenario));
      expect(fresh.calls).toEqual(committed.calls);
      expect(fresh.segments).toEqual(committed.segments);
      expect(fresh.listings).toEqual(committed.listings);
    });
  }
});
