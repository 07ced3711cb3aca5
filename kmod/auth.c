// SPDX-License-Identifier: GPL-2.0
/*
 * bmptap: TCP-MD5 (RFC 2385) verification of received segments.
 *
 * A received segment reaches the LOCAL_IN hook before TCP checks its
 * signature.  Gating received bytes on the local ACKs is not enough on an
 * MD5-protected session: a forged segment that arrives before the real one
 * with the same sequence numbers would be held by the tap, the real one
 * would then look like a retransmission, and the local ACK (for the real
 * one) would release the forged bytes.  So the hook decides as TCP will
 * (tcp_inbound_md5_hash() in 6.1, tcp_inbound_hash() in 6.12):
 *
 *   - find the socket the segment is for (established hash, as tcp_v4_rcv()
 *     and tcp_v6_rcv() do; a request socket's listener holds the keys);
 *   - find the key TCP would use for the peer's address (best prefix, L3
 *     index), walking the socket's key list under RCU;
 *   - no key and no MD5 option: fine; key without option, or option without
 *     key: TCP drops it; both: compute the signature and compare.
 *
 * The kernel's own helpers for this are not exported on 6.12, so the
 * signature is computed here with the crypto API's "md5" shash: the tfm is
 * allocated once at module load (process context) and is read-only
 * afterwards; each call keeps its hash state in an on-stack descriptor, so
 * the hook, which runs in softirq (or process context with BH disabled) under
 * rcu_read_lock(), never sleeps and takes no lock.  The socket is held by
 * the reference the lookup takes and released with sock_gen_put().
 *
 * Segments for which no socket is found (a TIME_WAIT or unknown 4-tuple, a
 * syncookie handshake) are not judged here: TCP drops data sent to no
 * socket, and the ACK gate still applies.  Without CONFIG_TCP_MD5SIG nothing
 * is checked.  Sockets with TCP-AO keys (CONFIG_TCP_AO) are not verified
 * either: the tap then relies on the ACK gate alone.
 */
#include <linux/kernel.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <crypto/hash.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <linux/inetdevice.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/inet_hashtables.h>
#include <net/inet6_hashtables.h>
#include <net/request_sock.h>

#include "bmptap.h"
#include "compat.h"

#ifdef CONFIG_TCP_MD5SIG

#define MD5_OPT_KIND	19
#define MD5_OPT_LEN	18
#define MD5_DIGEST	16
#define AUTH_CHUNK	256

static struct crypto_shash *bmptap_md5;

int bmptap_auth_init(void)
{
	struct crypto_shash *tfm;

	tfm = crypto_alloc_shash("md5", 0, 0);
	if (IS_ERR(tfm)) {
		/* Not fatal: the tap falls back on the ACK gate alone. */
		pr_warn("bmptap: no md5 transform (%ld): TCP-MD5 segments are not verified\n",
			PTR_ERR(tfm));
		return 0;
	}
	bmptap_md5 = tfm;
	return 0;
}

void bmptap_auth_exit(void)
{
	if (bmptap_md5)
		crypto_free_shash(bmptap_md5);
	bmptap_md5 = NULL;
}

/* The MD5 option of a TCP header, as tcp_parse_md5sig_option() finds it. */
static const u8 *md5_option(const u8 *opt, int length)
{
	while (length >= MD5_OPT_LEN) {
		int kind = *opt++, size;

		if (kind == TCPOPT_EOL)
			return NULL;
		if (kind == TCPOPT_NOP) {
			length--;
			continue;
		}
		size = *opt++;
		if (size < 2 || size > length)
			return NULL;
		if (kind == MD5_OPT_KIND)
			return size == MD5_OPT_LEN ? opt : NULL;
		opt += size - 2;
		length -= size;
	}
	return NULL;
}

static bool md5_better(const struct tcp_md5sig_key *old, const struct tcp_md5sig_key *new)
{
	if (!old)
		return true;
	/* A key bound to an L3 domain overrides an unbound one. */
	if (old->l3index && !new->l3index)
		return false;
	if (!old->l3index && new->l3index)
		return true;
	return old->prefixlen < new->prefixlen;
}

/* __tcp_md5_do_lookup(): the key for the peer at addr; under RCU. */
static const struct tcp_md5sig_key *md5_key(const struct sock *sk, int l3index,
					    const union tcp_md5_addr *addr, int family)
{
	const struct tcp_md5sig_info *info;
	const struct tcp_md5sig_key *key, *best = NULL;
	bool match;

	info = rcu_dereference(tcp_sk(sk)->md5sig_info);
	if (!info)
		return NULL;
	hlist_for_each_entry_rcu(key, &info->head, node) {
		if (key->family != family)
			continue;
#ifdef BMPTAP_HAVE_MD5_FLAG_IFINDEX
		if ((key->flags & TCP_MD5SIG_FLAG_IFINDEX) && key->l3index != l3index)
			continue;
#else
		/* Before the flag, a key with an L3 index was bound to it. */
		if (key->l3index && key->l3index != l3index)
			continue;
#endif
		if (family == AF_INET) {
			__be32 mask = inet_make_mask(key->prefixlen);

			match = (key->addr.a4.s_addr & mask) == (addr->a4.s_addr & mask);
		} else {
			match = ipv6_prefix_equal(&key->addr.a6, &addr->a6, key->prefixlen);
		}
		if (match && md5_better(best, key))
			best = key;
	}
	return best;
}

/* tcp_v4_md5_hash_skb() / tcp_v6_md5_hash_skb(), into out. */
static int md5_sign(const struct tcp_md5sig_key *key, const struct sk_buff *skb,
		    u8 family, const void *saddr, const void *daddr,
		    const struct tcphdr *th, u32 thoff, u32 end, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, bmptap_md5);
	/* tcp_md5sum_block, which newer kernels no longer define. */
	union {
		struct tcp4_pseudohdr ip4;
		struct tcp6_pseudohdr ip6;
	} ph;
	struct tcphdr hdr;
	u8 buf[AUTH_CHUNK];
	u32 off = thoff + th->doff * 4, n, klen;
	int err;

	desc->tfm = bmptap_md5;
	memset(&ph, 0, sizeof(ph));
	if (family == AF_INET) {
		memcpy(&ph.ip4.saddr, saddr, 4);
		memcpy(&ph.ip4.daddr, daddr, 4);
		ph.ip4.protocol = IPPROTO_TCP;
		ph.ip4.len = htons(end - thoff);
		n = sizeof(ph.ip4);
	} else {
		memcpy(&ph.ip6.saddr, saddr, 16);
		memcpy(&ph.ip6.daddr, daddr, 16);
		ph.ip6.protocol = htonl(IPPROTO_TCP);
		ph.ip6.len = htonl(end - thoff);
		n = sizeof(ph.ip6);
	}
	hdr = *th;
	hdr.check = 0;
	err = crypto_shash_init(desc);
	if (!err)
		err = crypto_shash_update(desc, (const u8 *)&ph, n);
	if (!err)
		err = crypto_shash_update(desc, (const u8 *)&hdr, sizeof(hdr));
	while (!err && off < end) {
		n = min_t(u32, end - off, sizeof(buf));
		err = skb_copy_bits(skb, off, buf, n);
		if (!err)
			err = crypto_shash_update(desc, buf, n);
		off += n;
	}
	klen = READ_ONCE(key->keylen);
	if (!err)
		err = crypto_shash_update(desc, key->key, min_t(u32, klen, sizeof(key->key)));
	if (!err)
		err = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	memzero_explicit(buf, sizeof(buf));
	return err;
}

/*
 * Whether any socket of the host may hold an MD5 key.  Until one does, TCP
 * looks up no key (tcp_md5_do_lookup()), so the hook can skip the socket
 * lookup that costs every received segment of an unsigned session.  Kernels
 * that keep the static key to themselves (6.12: not exported) keep the lookup.
 */
static bool md5_keys_may_exist(void)
{
#if defined(BMPTAP_HAVE_TCP_MD5_NEEDED) && defined(BMPTAP_HAVE_TCP_MD5_NEEDED_DEFERRED)
	return static_branch_unlikely(&tcp_md5_needed.key);
#elif defined(BMPTAP_HAVE_TCP_MD5_NEEDED)
	return static_branch_unlikely(&tcp_md5_needed);
#else
	return true;
#endif
}

/* The socket a received segment is for, referenced; NULL if none. */
static struct sock *auth_lookup(struct net *net, struct sk_buff *skb, u8 family,
				const void *saddr, const void *daddr,
				const struct tcphdr *th, int *l3index)
{
	int dif, sdif;

	if (family == AF_INET) {
		dif = inet_iif(skb);
		sdif = inet_sdif(skb);
		*l3index = sdif ? dif : 0;
		return __inet_lookup_established(net, BMPTAP_EHASH(net) *(const __be32 *)saddr, th->source,
						 *(const __be32 *)daddr, ntohs(th->dest),
						 dif, sdif);
	}
#if IS_ENABLED(CONFIG_IPV6)
	dif = inet6_iif(skb);
	sdif = inet6_sdif(skb);
	*l3index = sdif ? dif : 0;
	return __inet6_lookup_established(net, BMPTAP_EHASH(net) saddr, th->source, daddr,
					  ntohs(th->dest), dif, sdif);
#else
	return NULL;
#endif
}

enum bmptap_auth bmptap_auth_check(struct net *net, struct sk_buff *skb, u8 family,
				   const struct in6_addr *saddr, const struct in6_addr *daddr,
				   u32 thoff, u32 end)
{
	u8 _hdr[60], sig[MD5_DIGEST];
	const struct tcphdr *th;
	const struct tcp_md5sig_key *key;
	const u8 *opt;
	struct sock *sk, *ksk;
	enum bmptap_auth ret = BMPTAP_AUTH_NONE;
	int l3index = 0, doff;

	th = skb_header_pointer(skb, thoff, sizeof(struct tcphdr), _hdr);
	if (!th)
		return BMPTAP_AUTH_NONE;
	doff = th->doff * 4;
	th = skb_header_pointer(skb, thoff, doff, _hdr);
	if (!th)
		return BMPTAP_AUTH_NONE;
	opt = md5_option((const u8 *)(th + 1), doff - (int)sizeof(*th));
	/* No key anywhere: TCP drops a signed segment as unexpected. */
	if (!md5_keys_may_exist())
		return opt ? BMPTAP_AUTH_BAD : BMPTAP_AUTH_NONE;

	sk = auth_lookup(net, skb, family, saddr, daddr, th, &l3index);
	if (!sk)
		return BMPTAP_AUTH_NONE;
	if (sk->sk_state == TCP_TIME_WAIT)
		goto out;
	ksk = sk;
	if (sk->sk_state == TCP_NEW_SYN_RECV)
		ksk = inet_reqsk(sk)->rsk_listener;
	if (!ksk || !sk_fullsock(ksk) || ksk->sk_protocol != IPPROTO_TCP)
		goto out;
#ifdef CONFIG_TCP_AO
	if (rcu_access_pointer(tcp_sk(ksk)->ao_info))
		goto out;	/* TCP-AO: not verified here */
#endif
	key = md5_key(ksk, l3index, (const union tcp_md5_addr *)saddr, family);
	if (!key && !opt)
		goto out;
	ret = BMPTAP_AUTH_BAD;
	if (!key || !opt)
		goto out;	/* TCP drops it */
	if (!bmptap_md5) {
		ret = BMPTAP_AUTH_NONE;	/* cannot tell: the ACK gate decides */
		goto out;
	}
	if (md5_sign(key, skb, family, saddr, daddr, th, thoff, end, sig))
		goto out;
	if (!memcmp(sig, opt, MD5_DIGEST))
		ret = BMPTAP_AUTH_OK;
out:
	sock_gen_put(sk);
	return ret;
}

#else /* !CONFIG_TCP_MD5SIG */

int bmptap_auth_init(void)
{
	return 0;
}

void bmptap_auth_exit(void)
{
}

enum bmptap_auth bmptap_auth_check(struct net *net, struct sk_buff *skb, u8 family,
				   const struct in6_addr *saddr, const struct in6_addr *daddr,
				   u32 thoff, u32 end)
{
	return BMPTAP_AUTH_NONE;
}

#endif
