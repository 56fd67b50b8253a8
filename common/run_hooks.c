/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Copyright (C) 2026 The numashift authors */
#include "run_hooks.h"

bool run_left_out(const struct run_hooks *h, const struct proc_sel *sel,
		  const struct proc_id *id, int rc)
{
	char msg[512];

	if (!sel || !select_left_out(sel, id, rc, msg, sizeof(msg)))
		return false;
	h->warn("%s", msg);
	return true;
}
