# bash completion for tvctl.  Source it:  . tools/tvctl/tvctl.bash
# Commands come from `tvctl help --commands`, domain names from `tvctl
# list --json`, so the completion follows the code.
_tvctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local i cmd= tv=${COMP_WORDS[0]}
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-s) i=$((i + 1)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [ "$prev" = -s ]; then
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
	fi
	if [ -z "$cmd" ]; then
		mapfile -t COMPREPLY < <(compgen -W "--json -s $("$tv" help --commands 2>/dev/null)" -- "$cur")
		return
	fi
	case $cmd in
	info | pause | unpause | shutdown | destroy | console)
		mapfile -t COMPREPLY < <(compgen -W "$("$tv" list --json 2>/dev/null |
			grep -o '"name": "[^"]*"' | cut -d'"' -f4)" -- "$cur") ;;
	create) mapfile -t COMPREPLY < <(compgen -f -W "-c" -- "$cur") ;;
	top) mapfile -t COMPREPLY < <(compgen -W "-b -n -d" -- "$cur") ;;
	help) mapfile -t COMPREPLY < <(compgen -W "$("$tv" help --commands 2>/dev/null)" -- "$cur") ;;
	esac
}
complete -F _tvctl tvctl
