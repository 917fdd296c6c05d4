#!/usr/bin/env bash
# The session recorded for the README's pictures:
#   asciirec rec --headless --window-size 72x15 -c 'bash docs/demo.sh' docs/demo.cast
#   asciirec convert docs/demo.cast docs/demo.gif --window
#   asciirec convert docs/demo.cast docs/demo.svg --window
prompt() { printf '\033[1;32mdemo\033[0m:\033[1;34m~/project\033[0m$ '; }
typed() {
  local i
  for ((i = 0; i < ${#1}; i++)); do printf '%s' "${1:i:1}"; sleep 0.06; done
  sleep 0.4
  printf '\n'
}
prompt; sleep 0.8
typed "make test"
for name in reader writer encoder player; do
  sleep 0.25
  printf '  %-10s \033[32m✓ ok\033[0m \033[2m(%d ms)\033[0m\n' "$name" $((RANDOM % 40 + 3))
done
printf '\033[1;32m4 passed\033[0m, 0 failed\n'
prompt; sleep 0.8
typed "make bench"
printf '┌────────────┬──────────┬─────────┐\n'
printf '│ \033[1mbenchmark\033[0m  │ \033[1mfiles/s\033[0m  │ \033[1mvs. v1\033[0m  │\n'
printf '├────────────┼──────────┼─────────┤\n'
for row in "parse:1840:+12%" "encode:2210:+31%" "render:960:-4%"; do
  IFS=: read -r name rate delta <<<"$row"
  sleep 0.3
  color=32; [[ $delta == -* ]] && color=31
  printf '│ %-10s │ %8s │ \033[%dm%7s\033[0m │\n' "$name" "$rate" "$color" "$delta"
done
printf '└────────────┴──────────┴─────────┘\n'
prompt; sleep 1.5
