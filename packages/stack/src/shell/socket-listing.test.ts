/**
 * `ss` and `netstat -t` on emulated nodes read the node's real TCP table (tcpSocketSnapshot): a
 * listener with the program holding it, a connection, the client's TIME-WAIT after it closed first.
 */
import { expect, test } from 'vitest';
import { SECOND } from '../testing/lab.js';
import { chain, clientProgram, newLog, serverProgram } from '../tcp/tcp-lab.js';

test('ss and netstat list the listener with its program and the closing side in TIME-WAIT', () => {
  const lab = chain(0, { server: serverProgram(newLog()), client: clientProgram(newLog()) });
  lab.exec('h2', 'server 80');
  lab.exec('h1', 'client 10.0.0.2 80 5');
  lab.run(2 * SECOND);
  expect(lab.exec('h2', 'ss -tlnp').stdout).toBe(
    'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n' +
      'LISTEN 0      128          0.0.0.0:80        0.0.0.0:*    users:(("server",pid=100,fd=3))\n',
  );
  const timeWait = lab.exec('h1', 'ss -tan').stdout.split('\n')[1] ?? '';
  expect(timeWait).toMatch(/^TIME-WAIT 0      0           10\.0\.0\.1:\d+ +10\.0\.0\.2:80 +$/);
  expect(lab.exec('h2', 'netstat -tlnp').stdout).toBe(
    'Active Internet connections (only servers)\n' +
      'Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    \n' +
      'tcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN      100/server          \n',
  );
  // TIME-WAIT lasts 60 s; then h1 has nothing left to list.
  lab.run(61 * SECOND);
  expect(lab.exec('h1', 'ss -tanH').stdout).toBe('');
});
