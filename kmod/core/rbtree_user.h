/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the kernel's <linux/rbtree.h>: the subset of its
 * API the core uses, with the same names and meaning, over an independent
 * red-black tree (shim_user.c).  As in the kernel, the parent pointer and
 * the colour share a word, so that nodes (and what the core is charged for
 * them) have the kernel's size.
 */
#ifndef BMPTAP_CORE_RBTREE_USER_H
#define BMPTAP_CORE_RBTREE_USER_H

#include <stddef.h>

struct rb_node {
	unsigned long rb_parent_red;	/* parent pointer | 1 when red */
	struct rb_node *rb_right;
	struct rb_node *rb_left;
} __attribute__((aligned(sizeof(long))));

struct rb_root {
	struct rb_node *rb_node;
};

#define RB_ROOT		((struct rb_root) { NULL })
#define rb_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **link)
{
	node->rb_parent_red = (unsigned long)parent | 1;
	node->rb_left = NULL;
	node->rb_right = NULL;
	*link = node;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root);
void rb_erase(struct rb_node *node, struct rb_root *root);
void rb_replace_node(struct rb_node *victim, struct rb_node *new_node, struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);

#endif /* BMPTAP_CORE_RBTREE_USER_H */
