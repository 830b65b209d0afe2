// Runs inside the network namespace that `unshare --net` created for the
// kube-apiserver test environment. It:
//   1. brings `lo` up and puts the apiserver's advertise address on a device
//      of its own (dummy, else ifb, else lo), so nothing can ever route out;
//   2. forwards each unix socket given on the command line to a TCP port on
//      this namespace's loopback, so the host side can reach the servers;
//   3. holds the namespace open and exits as soon as its stdin closes (its
//      parent went away), taking the namespace with it.
//
// Usage: node netns-holder.mjs <advertise-ip> <socket>=<port> [...]
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';

const [advertise, ...mappings] = process.argv.slice(2);
if (advertise === undefined || mappings.length === 0) {
  process.stderr.write('usage: netns-holder.mjs <ip> <socket>=<port>...\n');
  process.exit(2);
}

function ip(...args) {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

ip('link', 'set', 'lo', 'up');
let device = 'lo';
for (const type of ['dummy', 'ifb']) {
  try {
    ip('link', 'add', 'er-adv0', 'type', type);
    device = 'er-adv0';
    break;
  } catch {
    // This kernel lacks that device type; try the next one.
  }
}
ip('addr', 'add', `${advertise}/32`, 'dev', device);
ip('link', 'set', device, 'up');

const servers = [];
let pending = mappings.length;
for (const mapping of mappings) {
  const at = mapping.lastIndexOf('=');
  const socketPath = mapping.slice(0, at);
  const port = Number(mapping.slice(at + 1));
  rmSync(socketPath, { force: true });
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  server.listen(socketPath, () => {
    pending -= 1;
    if (pending === 0) {
      process.stdout.write(`${JSON.stringify({ ready: true, device })}\n`);
    }
  });
  servers.push(server);
}

function exit() {
  for (const server of servers) server.close();
  process.exit(0);
}
process.stdin.on('end', exit);
process.stdin.on('close', exit);
process.stdin.resume();
process.on('SIGTERM', exit);
