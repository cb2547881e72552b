/* args.h - the commands' option parser: each command describes its options as a table of
 * {name, kind, pointer, message} (as h3's args.h does) and cli_args_parse reads argv by it.
 * Numbers go through one checked function (cli_number/cli_whole), lists (--minutes 10,15,
 * --radius 500,1000) through cli_parse_list; a bad value prints "svcov CMD: --NAME ARG: MESSAGE
 * (svcov CMD --help)" and gives EXIT_USAGE. */
#ifndef SVCOV_CLI_ARGS_H
#define SVCOV_CLI_ARGS_H

#include <stddef.h>

typedef enum {
    CLI_ARG_STRING, /* const char **ptr = the argument (argv's own memory) */
    CLI_ARG_SET,    /* no argument: int *ptr = value */
    CLI_ARG_NUMBER, /* double *ptr: a finite number, at least min (above min with above_min) and at most max */
    CLI_ARG_WHOLE,  /* int *ptr: a whole number in [min, max] */
    CLI_ARG_LIST,   /* cli_list *ptr: numbers separated by commas; a repeated option replaces the list */
    CLI_ARG_CHOICE, /* int *ptr = the value of the word among choices */
    CLI_ARG_FN,     /* fn(cmd, entry, argument): 0, or EXIT_USAGE with the message printed */
    CLI_ARG_PRINT,  /* no argument: print() (--help, --list), then the command ends with exit status 0 */
} cli_arg_kind;

typedef struct {
    const char *word;
    int value;
} cli_choice;

typedef struct {
    double *v; /* malloc'd; the command frees it */
    size_t n;
} cli_list;

typedef struct cli_arg cli_arg;
struct cli_arg {
    const char *name; /* the long name without "--" */
    char letter;      /* a one-letter form (-q) or 0 */
    cli_arg_kind kind;
    void *ptr;
    const char *bad;   /* after "--NAME ARG: " when the value is not accepted */
    double min, max;   /* NUMBER, WHOLE */
    int above_min;     /* NUMBER: min itself is refused */
    const char *range; /* NUMBER: the message for a number out of range (default: bad) */
    int value;         /* SET: the value stored; FN: the callee's own selector */
    const cli_choice *choices; /* CHOICE: ends with {NULL, 0} */
    int (*fn)(const char *cmd, const cli_arg *a, const char *arg);
    void (*print)(void);
};

/* Shorthands for the table entries. */
#define CLI_STR(name, ptr) {name, 0, CLI_ARG_STRING, ptr, NULL, 0, 0, 0, NULL, 0, NULL, NULL, NULL}
#define CLI_SET(name, letter, ptr, value) {name, letter, CLI_ARG_SET, ptr, NULL, 0, 0, 0, NULL, value, NULL, NULL, NULL}
#define CLI_NUM(name, ptr, min, above, max, bad, range)                                                      \
    {name, 0, CLI_ARG_NUMBER, ptr, bad, min, max, above, range, 0, NULL, NULL, NULL}
#define CLI_WHOLE(name, ptr, min, max, bad) {name, 0, CLI_ARG_WHOLE, ptr, bad, min, max, 0, NULL, 0, NULL, NULL, NULL}
#define CLI_LIST(name, ptr, bad) {name, 0, CLI_ARG_LIST, ptr, bad, 0, 0, 0, NULL, 0, NULL, NULL, NULL}
#define CLI_CHOICE(name, ptr, choices, bad)                                                                  \
    {name, 0, CLI_ARG_CHOICE, ptr, bad, 0, 0, 0, NULL, 0, choices, NULL, NULL}
#define CLI_FN(name, ptr, fn, value) {name, 0, CLI_ARG_FN, ptr, NULL, 0, 0, 0, NULL, value, NULL, fn, NULL}
#define CLI_PRINT(name, print) {name, 0, CLI_ARG_PRINT, NULL, NULL, 0, 0, 0, NULL, 0, NULL, NULL, print}
#define CLI_END {NULL, 0, CLI_ARG_STRING, NULL, NULL, 0, 0, 0, NULL, 0, NULL, NULL, NULL}

/* The words of --snap (sv_snap values) and of on|off options, shared by every command. */
extern const cli_choice cli_snap_words[];
extern const cli_choice cli_on_off[];

/* How points attach to the streets, the same three options in analyze, site and the poster's
 * network: --snap edge|node, --access-legs on|off, --max-snap M (0 to 100 km). */
#define CLI_SNAP_OPTIONS(snap_ptr, legs_ptr, max_snap_ptr)                                                 \
    CLI_CHOICE("snap", snap_ptr, cli_snap_words, "use edge (nearest point on the nearest street) or node"), \
        CLI_CHOICE("access-legs", legs_ptr, cli_on_off, "use on or off"),                                  \
        CLI_NUM("max-snap", max_snap_ptr, 0, 0, 100000, "not a number", SV_N_("give metres, 0 to 100000"))

/* cli_args_parse's result when a CLI_ARG_PRINT option ended the command (exit status 0). */
#define CLI_ARGS_DONE (-1)

/* Reads argv[1..] by the table (ended by CLI_END), in the order given; unknown options and missing
 * arguments print "unknown or incomplete option 'X'". Returns 0 with *rest the index of the first
 * argument that is not an option (argv is permuted as getopt_long does), CLI_ARGS_DONE, or
 * EXIT_USAGE (the message printed). Lists read before an error stay in their cli_list for the
 * caller to free. */
int cli_args_parse(const char *cmd, int argc, char **argv, const cli_arg *args, int *rest);

/* The one checked number reader: the whole of s is a finite number. 0 ok, -1 not. */
int cli_number(const char *s, double *v);
/* The whole of s is a whole number in [min, max]. 0 ok, -1 not. */
int cli_whole(const char *s, long min, long max, long *v);

#endif
