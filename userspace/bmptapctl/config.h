/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The [[bmp-servers]] part of a GoBGP TOML config (gobgpd.toml), read into
 * and written from bmptap server configs: `bmptapctl config load|show`.
 * Pure: no socket, no global state; notes go to a caller-supplied stream.
 */
#ifndef BMPTAP_CONFIG_H
#define BMPTAP_CONFIG_H

#include <stdio.h>

#include "model.h"

#define BT_CONFIG_ERRLEN	512
/* Config files are small; a bound keeps a wrong path (a disk image) cheap. */
#define BT_CONFIG_MAX_BYTES	(4U << 20)

/*
 * Parses and validates the whole text.  On success out holds the servers in
 * file order (addresses canonical, every setting explicit, as `server add`
 * stores them) and one line per ignored section or key, and per warning,
 * was written to notes ("FILE:LINE: note: ..."; notes may be NULL).
 * Returns 0, or -1 with one "FILE:LINE: message" line in err.
 */
int bt_config_parse(const char *text, size_t len, const char *fname,
		    struct bt_server_list *out, FILE *notes,
		    char *err, size_t errlen);

/* Reads a file (at most BT_CONFIG_MAX_BYTES) and parses it. */
int bt_config_load_file(const char *path, struct bt_server_list *out,
			FILE *notes, char *err, size_t errlen);

/* Writes servers as GoBGP TOML that bt_config_parse() reads back equal. */
void bt_config_write(FILE *f, const struct bt_server_cfg *v, size_t n);

/* Same address (canonical), port and settings. */
bool bt_config_server_equal(const struct bt_server_cfg *a,
			    const struct bt_server_cfg *b);

#endif /* BMPTAP_CONFIG_H */
