// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace-only definitions for the core shim (not built into the module):
 * the allocation hook and a red-black tree behind the kernel's rbtree API.
 *
 * The tree code is written once for both mirror images: child(n, d) is
 * rb_left for d == 0 and rb_right for d == 1, and every rotation or fixup
 * case is expressed for a direction d and its opposite !d.
 */
#ifndef __KERNEL__
#include "shim.h"

void *(*bmptap_alloc_hook)(size_t size) = NULL;

static struct rb_node **child(struct rb_node *n, int d)
{
	return d ? &n->rb_right : &n->rb_left;
}

static struct rb_node *parent(const struct rb_node *n)
{
	return (struct rb_node *)(n->rb_parent_red & ~1UL);
}

static void set_parent(struct rb_node *n, struct rb_node *p)
{
	n->rb_parent_red = (unsigned long)p | (n->rb_parent_red & 1);
}

static bool is_red(const struct rb_node *n)
{
	return n && (n->rb_parent_red & 1);
}

static void set_red(struct rb_node *n, bool red)
{
	n->rb_parent_red = (n->rb_parent_red & ~1UL) | red;
}

/* Point whatever pointed at old (its parent's link or the root) at new_node. */
static void relink(struct rb_root *root, struct rb_node *old, struct rb_node *new_node)
{
	struct rb_node *p = parent(old);

	if (!p)
		root->rb_node = new_node;
	else
		*child(p, p->rb_right == old) = new_node;
	if (new_node)
		set_parent(new_node, p);
}

/* Rotate x down in direction d: its !d child takes its place. */
static void rotate(struct rb_root *root, struct rb_node *x, int d)
{
	struct rb_node *y = *child(x, !d);

	*child(x, !d) = *child(y, d);
	if (*child(y, d))
		set_parent(*child(y, d), x);
	relink(root, x, y);
	*child(y, d) = x;
	set_parent(x, y);
}

void rb_insert_color(struct rb_node *z, struct rb_root *root)
{
	struct rb_node *p, *g, *u;
	int d;

	while (is_red(p = parent(z))) {
		g = parent(p);	/* a red node is never the root */
		d = g->rb_right == p;
		u = *child(g, !d);
		if (is_red(u)) {
			set_red(p, false);
			set_red(u, false);
			set_red(g, true);
			z = g;
			continue;
		}
		if (z == *child(p, !d)) {
			rotate(root, p, d);
			z = p;
			p = parent(z);
		}
		set_red(p, false);
		set_red(g, true);
		rotate(root, g, !d);
	}
	set_red(root->rb_node, false);
}

/* x (maybe NULL) under parent xp lacks one black node on its path. */
static void erase_fixup(struct rb_root *root, struct rb_node *x, struct rb_node *xp)
{
	struct rb_node *w;
	int d;

	while (x != root->rb_node && !is_red(x)) {
		d = xp->rb_right == x;
		w = *child(xp, !d);
		if (is_red(w)) {
			set_red(w, false);
			set_red(xp, true);
			rotate(root, xp, d);
			w = *child(xp, !d);
		}
		if (!is_red(w->rb_left) && !is_red(w->rb_right)) {
			set_red(w, true);
			x = xp;
			xp = parent(x);
			continue;
		}
		if (!is_red(*child(w, !d))) {
			set_red(*child(w, d), false);
			set_red(w, true);
			rotate(root, w, !d);
			w = *child(xp, !d);
		}
		set_red(w, is_red(xp));
		set_red(xp, false);
		set_red(*child(w, !d), false);
		rotate(root, xp, d);
		x = root->rb_node;
		break;
	}
	if (x)
		set_red(x, false);
}

void rb_erase(struct rb_node *z, struct rb_root *root)
{
	struct rb_node *y, *x, *xp;
	bool black;

	if (!z->rb_left || !z->rb_right) {
		x = z->rb_left ? z->rb_left : z->rb_right;
		xp = parent(z);
		black = !is_red(z);
		relink(root, z, x);
	} else {
		y = z->rb_right;
		while (y->rb_left)
			y = y->rb_left;
		black = !is_red(y);
		x = y->rb_right;
		if (parent(y) == z) {
			xp = y;
		} else {
			xp = parent(y);
			relink(root, y, x);
			y->rb_right = z->rb_right;
			set_parent(y->rb_right, y);
		}
		relink(root, z, y);
		y->rb_left = z->rb_left;
		set_parent(y->rb_left, y);
		set_red(y, is_red(z));
	}
	if (black)
		erase_fixup(root, x, xp);
}

void rb_replace_node(struct rb_node *victim, struct rb_node *new_node, struct rb_root *root)
{
	*new_node = *victim;
	relink(root, victim, new_node);
	if (new_node->rb_left)
		set_parent(new_node->rb_left, new_node);
	if (new_node->rb_right)
		set_parent(new_node->rb_right, new_node);
}

/* The in-order neighbour of n in direction d (1: next, 0: previous). */
static struct rb_node *step(const struct rb_node *n, int d)
{
	struct rb_node *c = *child((struct rb_node *)n, d);
	const struct rb_node *p;

	if (c) {
		while (*child(c, !d))
			c = *child(c, !d);
		return c;
	}
	while ((p = parent(n)) && n == *child((struct rb_node *)p, d))
		n = p;
	return (struct rb_node *)p;
}

struct rb_node *rb_next(const struct rb_node *node)
{
	return step(node, 1);
}

struct rb_node *rb_prev(const struct rb_node *node)
{
	return step(node, 0);
}

/* The node at the far end in direction d. */
static struct rb_node *end(const struct rb_root *root, int d)
{
	struct rb_node *n = root->rb_node;

	while (n && *child(n, d))
		n = *child(n, d);
	return n;
}

struct rb_node *rb_first(const struct rb_root *root)
{
	return end(root, 0);
}

struct rb_node *rb_last(const struct rb_root *root)
{
	return end(root, 1);
}
#endif /* __KERNEL__ */
