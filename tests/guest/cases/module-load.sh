#!/bin/bash
# The module loads, registers its genl family and per-netns state, survives
# namespaces coming and going and unloads cleanly, twice.
. "$BMPTAP_TOP/tests/lib/guest.sh"
ko=$(bt_module_path)
for round in 1 2; do
	bt_check "module-load: insmod (round $round)" insmod "$ko"
	bt_check "module-load: genl family bmptap registered" sh -c 'genl ctrl get name bmptap | grep -q bmptap'
	bt_check "module-load: genl groups events+config" sh -c 'genl ctrl get name bmptap | grep -q events && genl ctrl get name bmptap | grep -q config'
	ip netns add n1 && ip netns add n2
	bt_check "module-load: bmptapctl reads tap settings in a netns" \
		sh -c "ip netns exec n1 $BT_TOP/build/bmptapctl show tap >/dev/null"
	ip netns del n1
	bt_check "module-load: rmmod with a netns alive" rmmod bmptap
	ip netns del n2
done
bt_done
