import type { Node } from './types.ts';

/** A node's IPv4 InternalIP (kind's nodes have an IPv6 one too), where other nodes and containers on its network reach it. */
export const internalIPv4 = (node: Node): string | undefined => node.status?.addresses?.find((a) => a.type === 'InternalIP' && !a.address.includes(':'))?.address;
