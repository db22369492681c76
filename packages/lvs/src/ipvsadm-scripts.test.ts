/**
 * Saving and restoring a director's table through the node shell: `ipvsadm -S > FILE`, `ipvsadm -C`,
 * `ipvsadm -R < FILE` (and a here-string), Debian's ipvsadm-save and ipvsadm-restore scripts, and
 * what ipvsadm -R makes of a rules file (config_stream_read: the word `ipvsadm` left out, `#` no comment).
 */
import { Lab } from '@netloom/stack/testing/lab';
import { describe, expect, test } from 'vitest';
import { registerIpvs } from './datapath/ipvs-module.js';

const TABLE = [
  'ipvsadm -A -t 192.0.2.80:80 -s wrr -p 600',
  'ipvsadm -a -t 192.0.2.80:80 -r 10.0.0.2:8080 -m -w 3',
  'ipvsadm -a -t 192.0.2.80:80 -r 10.0.0.3:8080 -m -w 1',
  'ipvsadm -A -u 192.0.2.53:53 -s rr -o',
  'ipvsadm -a -u 192.0.2.53:53 -r 10.0.0.4 -g',
  'ipvsadm -A -f 7 -s sh',
  'ipvsadm -a -f 7 -r 10.0.0.5:0 -i -w 2',
];

function director(): { lab: Lab; sh: (line: string) => { stdout: string; stderr: string; status: number | null } } {
  const lab = new Lab();
  registerIpvs(lab.addNode('d', { forwarding: true }));
  const sh = (line: string) => {
    const { stdout, stderr, status } = lab.exec('d', line);
    return { stdout, stderr, status };
  };
  for (const line of TABLE) expect(sh(line), line).toEqual({ stdout: '', stderr: '', status: 0 });
  return { lab, sh };
}

describe('ipvsadm -S and -R through the node shell', () => {
  test('-S > FILE, -C, then -R < FILE restores the same ipvsadm -L -n', () => {
    const { sh } = director();
    const listed = sh('ipvsadm -L -n').stdout;
    expect(listed).toContain('  -> 10.0.0.3:8080                Masq    1      0          0         \n');
    expect(sh('ipvsadm -S -n > /etc/ipvsadm.rules')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('cat /etc/ipvsadm.rules').stdout).toContain('-A -t 192.0.2.80:80 -s wrr -p 600\n');
    expect(sh('ipvsadm -C').status).toBe(0);
    expect(sh('ipvsadm -L -n').stdout).not.toContain('192.0.2.80');
    expect(sh('ipvsadm -R < /etc/ipvsadm.rules')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('ipvsadm -L -n').stdout).toBe(listed);
  });

  test("-R with a missing file is bash's error and ipvsadm does not run: the table stays as it was", () => {
    const { sh } = director();
    const saved = sh('ipvsadm -S -n').stdout;
    expect(sh('ipvsadm -R < rules')).toEqual({ stdout: '', stderr: 'bash: rules: No such file or directory\n', status: 1 });
    expect(sh('ipvsadm-restore < rules')).toEqual({ stdout: '', stderr: 'bash: rules: No such file or directory\n', status: 1 });
    expect(sh('ipvsadm -S -n').stdout).toBe(saved);
  });

  test('-R reads lines written as commands, a here-string, and nothing without <', () => {
    const { sh } = director();
    sh('ipvsadm -C');
    sh(`echo 'ipvsadm -A -t 198.51.100.1:443 -s lc' > cmds`);
    sh(`echo ' ipvsadm	-a -t 198.51.100.1:443 -r 10.0.0.9 -m ' >> cmds`);
    expect(sh('ipvsadm -R < cmds')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh(`ipvsadm -R <<< '-A -u 198.51.100.2:53 -s rr'`)).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('ipvsadm -R')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('ipvsadm -S -n').stdout).toBe('-A -t 198.51.100.1:443 -s lc\n-a -t 198.51.100.1:443 -r 10.0.0.9:443 -m -w 1\n-A -u 198.51.100.2:53 -s rr\n');
  });

  test('a # line is no comment to ipvsadm -R: the lines before it are in, the rest not', () => {
    const { sh } = director();
    sh('ipvsadm -C');
    sh(`echo '-A -t 198.51.100.1:443 -s lc' > rules`);
    sh(`echo '# saved by hand' >> rules`);
    sh(`echo '-A -t 198.51.100.2:443 -s lc' >> rules`);
    expect(sh('ipvsadm -R < rules').status).not.toBe(0);
    expect(sh('ipvsadm -S -n').stdout).toBe('-A -t 198.51.100.1:443 -s lc\n');
  });
});

describe("Debian's ipvsadm-save and ipvsadm-restore", () => {
  test('ipvsadm-save -n > FILE then ipvsadm-restore < FILE gives the table back, over whatever is there', () => {
    const { sh } = director();
    const listed = sh('ipvsadm -L -n').stdout;
    expect(sh('ipvsadm-save -n > /etc/ipvsadm.rules')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('cat /etc/ipvsadm.rules').stdout).toBe(sh('ipvsadm -S -n').stdout);
    sh('ipvsadm -D -t 192.0.2.80:80');
    sh('ipvsadm -A -t 203.0.113.1:80');
    expect(sh('ipvsadm-restore < /etc/ipvsadm.rules')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('ipvsadm -L -n').stdout).toBe(listed);
  });

  test('ipvsadm-restore leaves out # lines as its grep does; with no input it empties the table', () => {
    const { sh } = director();
    sh(`echo '# ipvsadm.rules' > rules`);
    sh(`echo '-A -t 198.51.100.1:443 -s lc' >> rules`);
    sh(`echo '#-A -t 198.51.100.2:443' >> rules`);
    expect(sh('ipvsadm-restore < rules')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('ipvsadm -S -n').stdout).toBe('-A -t 198.51.100.1:443 -s lc\n');
    expect(sh('ipvsadm-restore')).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(sh('ipvsadm -S -n').stdout).toBe('');
  });

  test('ipvsadm-save prints its help for any other option and saves names without -n', () => {
    const { sh } = director();
    const help = 'ipvsadm-save: Script to save the IPVS table to stdout.\n   With the -n option, prints out the table in numeric format.\n';
    expect(sh('ipvsadm-save -x')).toEqual({ stdout: '', stderr: help, status: 1 });
    expect(sh('ipvsadm-save -n --numeric')).toEqual({ stdout: '', stderr: help, status: 1 });
    expect(sh('ipvsadm-save n').stdout).toBe(sh('ipvsadm -S').stdout);
    expect(sh('ipvsadm-save').stdout).toContain('-A -t 192.0.2.80:http -s wrr -p 600\n');
  });
});
