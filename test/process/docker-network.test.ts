import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// .ci/start-docker gives its private engine the bridge and range .ci/docker-network picks from what the
// machine already uses; these machines are `ip` output, as the script reads it.

const LOOPBACK_AND_ETH0 = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
4: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc pfifo_fast state UP mode DEFAULT group default qlen 1000\\    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever
default via 192.0.2.1 dev eth0
192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2
local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1
nameserver 192.0.2.53
`;

/** An engine already running on docker0, with a container on it, at the range it was given. */
function docker0(cidr: string): string {
  const [address = '', length = ''] = cidr.split('/');
  const network = `${address.split('.').slice(0, 2).join('.')}.0.0/${length}`;
  return `5: docker0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default \\    link/ether 02:42:3d:26:e3:f6 brd ff:ff:ff:ff:ff:ff
7: veth42a16d4@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master docker0 state UP mode DEFAULT group default \\    link/ether 2e:0d:db:fb:37:a3 brd ff:ff:ff:ff:ff:ff link-netnsid 0
5: docker0    inet ${cidr} scope global docker0\\       valid_lft forever preferred_lft forever
${network} dev docker0 proto kernel scope link src ${address}
`;
}

/** What the script prints: "<bridge> <range>", or why it found none. */
function pick(machine: string): string {
  const result = spawnSync('bash', ['.ci/docker-network'], { input: machine, encoding: 'utf8' });
  return (result.status === 0 ? result.stdout : result.stderr).trim();
}

describe('the private engine’s bridge and range (.ci/docker-network)', () => {
  it('keeps clear of an engine on docker0 at Docker’s default range', () => {
    expect(pick(LOOPBACK_AND_ETH0 + docker0('172.17.0.1/16'))).toBe('mt-docker0 10.200.0.0/16');
  });

  it('keeps clear of a docker0 given the first candidate range (--bip)', () => {
    expect(pick(LOOPBACK_AND_ETH0 + docker0('10.200.0.1/16'))).toBe('mt-docker0 10.201.0.0/16');
  });

  it('keeps clear of a docker0 whose range covers a candidate only in part', () => {
    expect(pick(LOOPBACK_AND_ETH0 + docker0('10.200.128.1/17'))).toBe('mt-docker0 10.201.0.0/16');
  });

  it('takes the next bridge name and range beside another private engine', () => {
    const other = `12: mt-docker0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default \\    link/ether 1a:2b:3c:4d:5e:6f brd ff:ff:ff:ff:ff:ff
12: mt-docker0    inet 10.200.0.1/24 scope global mt-docker0\\       valid_lft forever preferred_lft forever
10.200.0.0/24 dev mt-docker0 proto kernel scope link src 10.200.0.1
`;
    expect(pick(LOOPBACK_AND_ETH0 + docker0('172.17.0.1/16') + other)).toBe('mt-docker1 10.201.0.0/16');
  });

  it('keeps clear of routes through a gateway and of name servers', () => {
    const vpn = '10.200.0.0/15 via 192.0.2.1 dev eth0\nnameserver 10.202.3.4\n';
    expect(pick(LOOPBACK_AND_ETH0 + vpn)).toBe('mt-docker0 10.203.0.0/16');
  });

  it('leaves 10.0.0.0/8 for 172.16.0.0/16 when a route takes all of it', () => {
    expect(pick(`${LOOPBACK_AND_ETH0}10.0.0.0/8 dev eth0 table 51820\n`)).toBe('mt-docker0 172.16.0.0/16');
  });

  it('does not count the default route as a range in use', () => {
    expect(pick(`${LOOPBACK_AND_ETH0}default dev eth0 table 51820\n`)).toBe('mt-docker0 10.200.0.0/16');
  });

  it('fails, saying why, when every candidate is taken', () => {
    expect(pick(`${LOOPBACK_AND_ETH0}10.0.0.0/8 dev eth0\n172.16.0.0/12 dev eth0\n`)).toBe(
      'docker-network: no free range among the candidates',
    );
  });
});
