# Reads `tshark -V` of BGP UPDATEs (a BGP capture, or BMP Route Monitoring
# messages) and prints one line per NLRI and per End-of-RIB, in order:
#   STREAM KIND AFI/SAFI KEY
# STREAM: the TCP stream index; KIND: R (announced), W (withdrawn) or E
# (End-of-RIB: an MP_UNREACH_NLRI with AFI/SAFI only, or an empty UPDATE for
# IPv4 unicast); KEY: the NLRI's decoded lines joined (labels included), "-"
# for an End-of-RIB.  Parsed from -V: -T fields aggregates per frame, and a
# frame holds several messages.  Used by tests/lib/interop.sh (it_nlri).
function flush() {
	if (upd && eor) print stream, "E", fam, "-"
	else if (upd && !seen && wl == 0 && tpl == 0) print stream, "E", "1/1", "-"
	upd = 0
}
function endnl() { if (inl && key != "") item(); inl = 0; key = "" }
function item(  k) { k = key; gsub(/  +/, " ", k); sub(/^ /, "", k); print stream, kind, (mp ? fam : "1/1"), k }
/^ *\[Stream index: / { endnl(); flush(); stream = $NF; sub(/\]/, "", stream) }
/^ *Border Gateway Protocol - / { endnl(); flush(); upd = ($0 ~ /UPDATE Message/); seen = 0; eor = 0; mp = 0; attr = ""
	wl = -1; tpl = -1; inl = 0; next }
!upd { next }
/^ *Withdrawn Routes Length: / { wl = $NF }
/^ *Total Path Attribute Length: / { tpl = $NF }
/^ *Path Attribute - MP_REACH_NLRI/ { endnl(); mp = 1; attr = "R"; next }
/^ *Path Attribute - MP_UNREACH_NLRI/ { endnl(); mp = 1; attr = "W"; next }
/^ *Path Attribute - / { endnl(); attr = ""; next }
attr == "W" && /^ *Length: 3$/ { eor = 1 }
/^ *Address family identifier \(AFI\): / { a = $NF; gsub(/[()]/, "", a) }
/^ *Subsequent address family identifier \(SAFI\): / { s = $NF; gsub(/[()]/, "", s); fam = a "/" s }
/^ *(Network Layer Reachability Information \(NLRI\)|Withdrawn Routes)$/ {
	endnl()
	kind = (attr == "W" || /Withdrawn/) ? "W" : "R"
	match($0, /^ */); base = RLENGTH; inl = 1; ind = -1; key = ""; next }
inl {
	match($0, /^ */)
	if (RLENGTH <= base) { if (key != "") item(); inl = 0; next }
	if (ind < 0) ind = RLENGTH
	if (RLENGTH == ind && key != "") { item(); key = "" }
	if ($0 !~ /= /) { seen = 1; key = key " " $0 }
}
END { endnl(); flush() }
