/**
 * ipvsadm's texts and exit statuses against ../shared/reference/ipvs-mip6-facts.md A.4 (layouts,
 * libipvs's error texts, ipvsadm.c's fail() messages) and the /proc/net files as ip_vs_ctl.c and
 * ip_vs_conn.c print them; -S output read back by -R.
 */
import { describe, expect, it } from 'vitest';
import { inet4, inet6 } from './inet-address.js';
import { Ipvs, MAX_SERVICES } from './ipvs.js';
import { ipvsadm } from './ipvsadm.js';
import { procNetIpVs, procNetIpVsConn, procNetIpVsStats } from './proc-net.js';

const S = 1e9;
const run = (ipvs: Ipvs, line: string, now = 0, stdin?: string) => ipvsadm(['ipvsadm', ...line.split(' ').filter((w) => w !== '')], ipvs, now, { stdin });
const ok = (ipvs: Ipvs, line: string, now = 0): string => {
  const r = run(ipvs, line, now);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
};

/** The reference's example table: a persistent wlc service with a masqueraded and a routed server. */
function referenceDirector(): Ipvs {
  const ipvs = new Ipvs();
  ok(ipvs, '-A -t 10.0.0.1:80 -s wlc -p');
  ok(ipvs, '-a -t 10.0.0.1:80 -r 192.168.10.2:80 -m');
  ok(ipvs, '-a -t 10.0.0.1:80 -r 192.168.10.3 -g -w 3');
  const routed = ipvs.listServices()[0]!.destinations[0]!;
  routed.activeConns = 12;
  routed.inactConns = 40;
  return ipvs;
}

describe('ipvsadm -L -n', () => {
  it('prints the reference layout, trailing spaces included', () => {
    expect(ok(referenceDirector(), '-L -n')).toBe(
      'IP Virtual Server version 1.2.1 (size=4096)\n' +
        'Prot LocalAddress:Port Scheduler Flags\n' +
        '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n' +
        'TCP  10.0.0.1:80 wlc persistent 360\n' +
        '  -> 192.168.10.2:80              Masq    1      0          0         \n' +
        '  -> 192.168.10.3:80              Route   3      12         40        \n',
    );
  });

  it('without -n names ports from /etc/services; -Ln clusters; a mask shows after the timeout', () => {
    const ipvs = new Ipvs();
    ok(ipvs, '-A -t 10.0.0.1:http -s rr -p 600 -M 255.255.255.0');
    ok(ipvs, '-a -t 10.0.0.1:80 -r 192.168.10.2 -m -w 2');
    expect(ok(ipvs, '-L').split('\n').slice(3, 5)).toEqual(['TCP  10.0.0.1:http rr persistent 600 mask 255.255.255.0', '  -> 192.168.10.2:http            Masq    2      0          0         ']);
    expect(ok(ipvs, '-Ln').split('\n')[3]).toBe('TCP  10.0.0.1:80 rr persistent 600 mask 255.255.255.0');
  });

  it("sorts services and servers as libipvs does: a 32-bit difference, so 192.168.0.1 before 10.0.0.1", () => {
    const ipvs = new Ipvs();
    ok(ipvs, '-A -u 10.0.0.1:53');
    ok(ipvs, '-A -t 10.0.0.1:80');
    ok(ipvs, '-A -t 192.168.0.1:80');
    ok(ipvs, '-A -f 7 -s rr');
    const lines = ok(ipvs, '-L -n').split('\n').slice(3, -1);
    expect(lines).toEqual(['TCP  192.168.0.1:80 wlc', 'TCP  10.0.0.1:80 wlc', 'UDP  10.0.0.1:53 wlc', 'FWM  7 rr']);
    expect(ok(ipvs, '-L -n --nosort').split('\n').slice(3, -1)[0]).toBe('UDP  10.0.0.1:53 wlc');
  });

  it('--stats, --rate, --thresholds and --persistent-conn have their own columns', () => {
    const ipvs = referenceDirector();
    const stats = ok(ipvs, '-L -n --stats').split('\n');
    expect(stats.slice(1, 4)).toEqual([
      'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
      '  -> RemoteAddress:Port',
      'TCP  10.0.0.1:80                         0        0        0        0        0',
    ]);
    expect(ok(ipvs, '-L -n --rate').split('\n')[1]).toBe('Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS');
    expect(ok(ipvs, '-L -n --thresholds').split('\n').slice(1, 2)).toEqual(['Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn ']);
    expect(ok(ipvs, '-L -n --persistent-conn').split('\n')[5]).toBe('  -> 192.168.10.3:80              3         0           12         40        ');
  });

  it('numbers past 10^8 shrink to K/M/G unless --exact', () => {
    const ipvs = referenceDirector();
    ipvs.listServices()[0]!.stats.inbytes = 123_456_789_012;
    expect(ok(ipvs, '-L -n --stats').split('\n')[3]).toBe('TCP  10.0.0.1:80                         0        0        0     123G        0');
    expect(ok(ipvs, '-L -n --stats --exact').split('\n')[3]).toBe('TCP  10.0.0.1:80                         0        0        0 123456789012        0');
  });

  it('-L -t lists one service without the version line; an unknown one is "No such service", status 1', () => {
    const ipvs = referenceDirector();
    expect(ok(ipvs, '-L -n -t 10.0.0.1:80').split('\n')[0]).toBe('Prot LocalAddress:Port Scheduler Flags');
    expect(run(ipvs, '-L -n -t 10.0.0.1:81')).toEqual({ stdout: '', stderr: 'No such service\n', status: 1 });
  });
});

describe('IPv6 and rates', () => {
  it('lists IPv6 services and servers in brackets, untruncated; /proc/net/ip_vs in %pI6', () => {
    const ipvs = new Ipvs();
    ok(ipvs, '-A -t [2001:db8::1]:80 -s rr -p -M 64');
    ok(ipvs, '-a -t [2001:db8::1]:80 -r [2001:db8:0:10::2]:8080 -m');
    expect(ok(ipvs, '-L -n').split('\n').slice(3)).toEqual([
      'TCP  [2001:db8::1]:80 rr persistent 360 mask 64',
      '  -> [2001:db8:0:10::2]:8080      Masq    1      0          0         ',
      '',
    ]);
    expect(ok(ipvs, '-S -n')).toBe('-A -t [2001:db8::1]:80 -s rr -p 360 -M 64\n-a -t [2001:db8::1]:80 -r [2001:db8:0:10::2]:8080 -m -w 1\n');
    expect(procNetIpVs(ipvs).split('\n').slice(3, 5)).toEqual([
      'TCP  [2001:0db8:0000:0000:0000:0000:0000:0001]:0050 rr persistent 90000 40000000',
      '  -> [2001:0db8:0000:0010:0000:0000:0000:0002]:1F90      Masq    1      0          0         ',
    ]);
    expect(run(ipvs, '-A -t [2001:db8::2]:80 -p -M 129')).toEqual({ stdout: '', stderr: 'illegal ipv6 netmask specified\n', status: 2 });
  });

  it('takes any IPv4 mask as inet_aton reads it: 255.0.255.0 groups clients by it, and -M 24 is 0.0.0.24', () => {
    const ipvs = new Ipvs();
    ok(ipvs, '-A -t 10.0.0.1:80 -s rr -p 60 -M 255.0.255.0');
    ok(ipvs, '-a -t 10.0.0.1:80 -r 192.168.10.2 -m');
    ok(ipvs, '-a -t 10.0.0.1:80 -r 192.168.10.3 -m');
    ok(ipvs, '-A -t 10.0.0.2:80 -p -M 24');
    expect(ok(ipvs, '-L -n').split('\n').filter((l) => l.includes('mask'))).toEqual(['TCP  10.0.0.1:80 rr persistent 60 mask 255.0.255.0', 'TCP  10.0.0.2:80 wlc persistent 360 mask 0.0.0.24']);
    const from = (client: number) => {
      const d = ipvs.inbound({ family: 4, protocol: 6, source: inet4(client), sourcePort: 40000, destination: inet4(0x0a000001), destinationPort: 80, fwmark: 0, tcp: { syn: true, fin: false, ack: false, rst: false }, length: 60 }, 0);
      return d.kind === 'forward' ? d.conn.dest : null;
    };
    // 10.1.2.3 and 10.9.2.7 are both 10.0.2.0 under the mask: one template, one server.
    expect(from(0x0a010203)).toBe(from(0x0a090207));
    expect(procNetIpVs(ipvs).split('\n')[3]).toBe('TCP  0A000001:0050 rr  persistent 15000 FF00FF00');
  });

  it('--rate shows what the estimator made of the traffic', () => {
    const ipvs = new Ipvs();
    ok(ipvs, '-A -u 10.0.0.1:53 -s rr');
    ok(ipvs, '-a -u 10.0.0.1:53 -r 192.168.10.2');
    // 100 datagrams of 100 bytes from 100 clients within the first 2 s.
    for (let i = 0; i < 100; i++) {
      ipvs.inbound({ family: 4, protocol: 17, source: inet4(0xcb007100 + i), sourcePort: 5000, destination: inet4(0x0a000001), destinationPort: 53, fwmark: 0, length: 100 }, i * 1e7);
    }
    // cps (100 << 9) / 4 = 12800 → 12; inpps the same; inbps (10000 << 4) / 4 = 40000 → 1250.
    expect(ok(ipvs, '-L -n --rate', 2 * S).split('\n').slice(3, 5)).toEqual([
      'UDP  10.0.0.1:53                        12       12        0     1250        0',
      '  -> 192.168.10.2:53                    12       12        0     1250        0',
    ]);
  });
});

describe('ipvsadm errors', () => {
  const cases: [string, string, number][] = [
    ['-A -t 10.0.0.1:80', 'Service already exists', 255],
    ['-A -t 10.0.0.2:80 -s fastest', 'Scheduler or persistence engine not found', 255],
    ['-E -t 10.0.0.2:80', 'No such service', 255],
    ['-D -t 10.0.0.2:80', 'No such service', 255],
    ['-a -t 10.0.0.2:80 -r 192.168.10.2', 'Service not defined', 255],
    ['-a -t 10.0.0.1:80 -r 192.168.10.2:80 -m', 'Destination already exists', 255],
    ['-e -t 10.0.0.1:80 -r 192.168.10.9', 'No such destination', 255],
    ['-d -t 10.0.0.1:80 -r 192.168.10.9', 'No such destination', 255],
    ['-a -t 10.0.0.1:80 -r 224.0.0.5', 'Invalid operation.  Possibly wrong module version, address not unicast, ...', 255],
    ['-a -t 10.0.0.1:80 -r 192.168.10.5 -x 5 -y 10', 'Numerical result out of range', 255],
    ['-A -t 10.0.0.9', 'Zero port specified for non-persistent service', 2],
    ['-A -t 10.0.0.9:80 -o', 'One-Packet Scheduling is only for UDP virtual services', 2],
    ['-A -s rr', "You need to supply the 'service-address' option for the 'add-service' command", 2],
    ['-a -t 10.0.0.1:80 -r 192.168.10.7 -s rr', "Illegal 'scheduler' option with the 'add-server' command", 2],
    ['-L -c -t 10.0.0.1:80', "The option 'service-address' conflicts with the 'connection' option in the 'list' command", 2],
    ['-L -c --stats', 'options conflicts in the list command', 2],
    ['-A -t 10.0.0.9:80 -E', 'multiple commands specified', 2],
    ['-A -t 10.0.0.9:80 -s rr -s wrr', "multiple 'scheduler' options specified", 2],
    ['--set 900 120', '--set option requires 3 timeout values', 2],
    ['--set 900 120 x', "invalid timeout value `x' specified", 2],
    ['-a -t 10.0.0.1:80 -r 192.168.10.7 -w 70000', 'illegal weight specified', 2],
    ['-A -t 10.0.0:80:90', 'illegal virtual server address[:port] specified', 2],
    ['-A -t 80', 'illegal virtual server address[:port] specified', 2],
    ['-A -f 0', "invalid fwmark value `0' specified", 2],
    ['-A -t 10.0.0.9:80 -p 0', "invalid timeout value `0' specified", 2],
    ['-A -t 10.0.0.9:80 -p -M nonet', 'illegal virtual server persistent mask specified', 2],
    ['-L -n extra', 'unexpected argument extra', 2],
    ['--start-daemon primary', 'illegal start-daemon parameter specified', 2],
    ['--stop-daemon master', 'No daemon is running', 255],
    ['-n -L', "Try `ipvsadm -h' or 'ipvsadm --help' for more information.", 255],
    ['-L --bogus', '--bogus: unknown option', 255],
  ];
  for (const [line, message, status] of cases) {
    it(`ipvsadm ${line} → ${message}`, () => {
      const ipvs = referenceDirector();
      expect(run(ipvs, line)).toEqual({ stdout: '', stderr: `${message}\n`, status });
    });
  }

  it('past the bound on services: Memory allocation problem', () => {
    const ipvs = new Ipvs();
    for (let i = 0; i < MAX_SERVICES; i++) ok(ipvs, `-A -t 10.1.${i >> 8}.${i & 255}:80`);
    expect(run(ipvs, '-A -t 10.2.0.1:80')).toEqual({ stdout: '', stderr: 'Memory allocation problem\n', status: 255 });
  });
});

describe('ipvsadm -S and -R', () => {
  it('-S writes rules that -R reads back into the same table', () => {
    const ipvs = new Ipvs();
    ok(ipvs, '-A -t 10.0.0.1:80 -s wrr -p 120 -M 255.255.255.0');
    ok(ipvs, '-a -t 10.0.0.1:80 -r 192.168.10.2:8080 -m -w 2 -x 100 -y 50');
    ok(ipvs, '-a -t 10.0.0.1:80 -r 192.168.10.3 -i');
    ok(ipvs, '-A -u 10.0.0.1:53 -s sh -o');
    ok(ipvs, '-a -u 10.0.0.1:53 -r 192.168.10.4');
    ok(ipvs, '-A -f 1 -6 -s mh -p');
    ok(ipvs, '-a -f 1 -6 -r [2001:db8::10]:443 -w 5');
    const saved = ok(ipvs, '-S -n');
    expect(saved).toBe(
      '-A -t 10.0.0.1:80 -s wrr -p 120 -M 255.255.255.0\n' +
        '-a -t 10.0.0.1:80 -r 192.168.10.2:8080 -m -w 2\n' +
        '-a -t 10.0.0.1:80 -r 192.168.10.3:80 -i -w 1\n' +
        '-A -u 10.0.0.1:53 -s sh -o\n' +
        '-a -u 10.0.0.1:53 -r 192.168.10.4:53 -g -w 1\n' +
        '-A -f 1 -6 -s mh -p 360\n' +
        '-a -f 1 -6 -r [2001:db8::10]:443 -g -w 5\n',
    );
    const copy = new Ipvs();
    expect(run(copy, '-R', 0, saved)).toEqual({ stdout: '', stderr: '', status: 0 });
    expect(ok(copy, '-S -n')).toBe(saved);
    expect(ok(copy, '-L -n')).toBe(ok(ipvs, '-L -n'));
  });

  it('-R stops at a bad line with its message', () => {
    const r = run(new Ipvs(), '-R', 0, '-A -t 10.0.0.1:80\n-A -t 10.0.0.1\n-A -t 10.0.0.2:80\n');
    expect(r).toEqual({ stdout: '', stderr: 'Zero port specified for non-persistent service\n', status: 2 });
  });
});

describe('timeouts, daemons, zero', () => {
  it('--set changes tcp, tcpfin and udp; 0 keeps a value', () => {
    const ipvs = new Ipvs();
    expect(ok(ipvs, '-L --timeout')).toBe('Timeout (tcp tcpfin udp): 900 120 300\n');
    ok(ipvs, '--set 0 30 60');
    expect(ok(ipvs, '-L --timeout')).toBe('Timeout (tcp tcpfin udp): 900 30 60\n');
  });

  it('--start-daemon records the sync daemon -L --daemon shows as ipvsadm 1.28+ does (maxlen, group, port, ttl the kernel filled in)', () => {
    const ipvs = new Ipvs();
    ok(ipvs, '--start-daemon master --syncid 7');
    expect(run(ipvs, '--start-daemon master')).toEqual({ stdout: '', stderr: 'Daemon has already run\n', status: 255 });
    ok(ipvs, '--start-daemon backup --mcast-interface eth1 --sync-maxlen 100 --mcast-group 239.1.2.3 --mcast-port 9000 --mcast-ttl 3');
    expect(ok(ipvs, '-L --daemon')).toBe(
      'master sync daemon (mcast=eth0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n' +
        // a backup's maxlen is at least 1024
        'backup sync daemon (mcast=eth1, syncid=0, maxlen=1024, group=239.1.2.3, port=9000, ttl=3)\n',
    );
    ok(ipvs, '--stop-daemon master');
    expect(run(ipvs, '--stop-daemon master')).toEqual({ stdout: '', stderr: 'No daemon is running\n', status: 255 });
    ok(ipvs, '--start-daemon master --sync-maxlen 100');
    expect(ok(ipvs, '-L --daemon').split('\n')[0]).toBe('master sync daemon (mcast=eth0, syncid=0, maxlen=100, group=224.0.0.81, port=8848, ttl=1)');
  });

  it('refuses bad sync daemon options with ipvsadm 1.31\'s texts', () => {
    const ipvs = new Ipvs();
    expect(run(ipvs, '--start-daemon master --mcast-group 10.0.0.1')).toEqual({ stdout: '', stderr: "invalid IPv4 mcast-group `10.0.0.1'\n", status: 2 });
    expect(run(ipvs, '--start-daemon master --mcast-port 0').stderr).toBe('illegal mcast-port specified\n');
    expect(run(ipvs, '--start-daemon master --mcast-ttl 256').stderr).toBe('illegal mcast-ttl specified\n');
    expect(run(ipvs, '--start-daemon master --sync-maxlen 65508').stderr).toBe('illegal sync-maxlen specified\n');
    expect(run(ipvs, '-L --mcast-port 9000').stderr).toBe("Illegal 'mcast-port' option with the 'list' command\n");
    expect(ipvs.daemons).toEqual([]);
  });
});

describe('the other commands', () => {
  it('-h prints the usage on stdout with status 0; -v the version', () => {
    const help = run(new Ipvs(), '-h');
    expect([help.status, help.stderr]).toEqual([0, '']);
    expect(help.stdout.split('\n').slice(0, 3)).toEqual([
      'ipvsadm v1.26 2008/5/15 (compiled with popt and IPVS v1.2.1)',
      'Usage:',
      '  ipvsadm -A|E -t|u|f service-address [-s scheduler] [-p [timeout]] [-M netmask]',
    ]);
    expect(run(new Ipvs(), '--version')).toEqual({ stdout: 'ipvsadm v1.26 2008/5/15 (compiled with popt and IPVS v1.2.1)\n', stderr: '', status: 0 });
  });

  it('with no arguments lists the table, ports by name', () => {
    const r = ipvsadm(['ipvsadm'], referenceDirector(), 0);
    expect(r.stdout.split('\n')[3]).toBe('TCP  10.0.0.1:http wlc persistent 360');
  });

  it('-e changes a server, -d deletes it, -D a service, -C everything; -Z zeroes counters', () => {
    const ipvs = referenceDirector();
    ok(ipvs, '-e -t 10.0.0.1:80 -r 192.168.10.2 -m -w 0');
    expect(ok(ipvs, '-L -n').split('\n')[4]).toBe('  -> 192.168.10.2:80              Masq    0      0          0         ');
    ipvs.listServices()[0]!.stats.conns = 5;
    ok(ipvs, '-Z -t 10.0.0.1:80');
    expect(ipvs.listServices()[0]!.stats.conns).toBe(0);
    ok(ipvs, '-d -t 10.0.0.1:80 -r 192.168.10.3');
    expect(ok(ipvs, '-L -n').split('\n')).toHaveLength(6);
    ok(ipvs, '-A -u 10.0.0.1:53');
    ok(ipvs, '-D -t 10.0.0.1:80');
    expect(ok(ipvs, '-L -n').split('\n')[3]).toBe('UDP  10.0.0.1:53 wlc');
    ok(ipvs, '-C');
    expect(ok(ipvs, '-L -n').split('\n')).toHaveLength(4);
  });
});

describe('connections and /proc/net', () => {
  function withConnections(): Ipvs {
    const ipvs = new Ipvs();
    ok(ipvs, '-A -t 10.0.0.1:80 -s rr -p 300');
    ok(ipvs, '-a -t 10.0.0.1:80 -r 192.168.10.2 -m');
    const syn = { family: 4 as const, protocol: 6, source: inet4(0xcb007107), sourcePort: 51234, destination: inet4(0x0a000001), destinationPort: 80, fwmark: 0, length: 60 };
    ipvs.inbound({ ...syn, tcp: { syn: true, fin: false, ack: false, rst: false } }, 0);
    ipvs.inbound({ ...syn, tcp: { syn: false, fin: false, ack: true, rst: false } }, S);
    return ipvs;
  }

  it('-L -n -c lists connections and templates with the time left', () => {
    // The template was made with the first SYN at 0 s (300 s), the connection is ESTABLISHED since 1 s (900 s).
    expect(ok(withConnections(), '-L -n -c', 2 * S)).toBe(
      'IPVS connection entries\n' +
        'pro expire state       source             virtual            destination\n' +
        'TCP 04:58  ASSURED     203.0.113.7:0      10.0.0.1:80        192.168.10.2:80\n' +
        'TCP 14:59  ESTABLISHED 203.0.113.7:51234  10.0.0.1:80        192.168.10.2:80\n',
    );
  });

  it('a fwmark template <IP, client, 0, fwmark, 0, server, 0> shows the mark as its virtual address, in its family', () => {
    const ipvs = new Ipvs();
    ok(ipvs, '-A -f 7 -s rr -p 100');
    ok(ipvs, '-a -f 7 -r 192.168.10.2:80 -m');
    ok(ipvs, '-A -f 8 -6 -s rr -p 100');
    ok(ipvs, '-a -f 8 -6 -r [2001:db8::2]:80 -m');
    const syn = { syn: true, fin: false, ack: false, rst: false };
    ipvs.inbound({ family: 4, protocol: 6, source: inet4(0xcb007107), sourcePort: 5000, destination: inet4(0x0a000001), destinationPort: 80, fwmark: 7, tcp: syn, length: 60 }, 0);
    ipvs.inbound({ family: 6, protocol: 6, source: inet6(0x20010db8000000000000000000000063n), sourcePort: 5000, destination: inet6(0x20010db8000000000000000000000001n), destinationPort: 80, fwmark: 8, tcp: syn, length: 80 }, 0);
    expect(ok(ipvs, '-L -n -c').split('\n').filter((l) => l.startsWith('IP '))).toEqual([
      'IP  01:40  NONE        203.0.113.7:0      0.0.0.7:0          192.168.10.2:0',
      'IP  01:40  NONE        [2001:db8::63]:0   [0:8::]:0          [2001:db8::2]:0',
    ]);
    expect(procNetIpVsConn(ipvs, 0).split('\n').filter((l) => l.startsWith('IP '))[1]).toBe(
      'IP  2001:0db8:0000:0000:0000:0000:0000:0063 0000 0000:0008:0000:0000:0000:0000:0000:0000 0000 2001:0db8:0000:0000:0000:0000:0000:0002 0000 NONE            100',
    );
  });

  it('/proc/net/ip_vs, ip_vs_conn and ip_vs_stats are the kernel texts', () => {
    const ipvs = withConnections();
    expect(procNetIpVs(ipvs)).toBe(
      'IP Virtual Server version 1.2.1 (size=4096)\n' +
        'Prot LocalAddress:Port Scheduler Flags\n' +
        '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n' +
        'TCP  0A000001:0050 rr  persistent 75000 FFFFFFFF\n' +
        '  -> C0A80A02:0050      Masq    1      1          0         \n',
    );
    expect(procNetIpVsConn(ipvs, 2 * S)).toBe(
      'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n' +
        'TCP CB007107 0000 0A000001 0050 C0A80A02 0050 ASSURED         298\n' +
        'TCP CB007107 C822 0A000001 0050 C0A80A02 0050 ESTABLISHED     899\n',
    );
    expect(procNetIpVsStats(ipvs, 2 * S)).toBe(
      '   Total Incoming Outgoing         Incoming         Outgoing\n' +
        '   Conns  Packets  Packets            Bytes            Bytes\n' +
        '       1        2        0               78                0\n\n' +
        ' Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n' +
        '       0        0        0                F                0\n',
    );
  });
});
