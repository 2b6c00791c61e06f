/* test_options.c — typed options: what each type accepts and rejects, the exact
 * wording of "expected ...", defaults, lookups and JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/options.h"
#include "core/strbuf.h"
#include "testing.h"

static const opt_spec specs[] = {
    {"window", OPT_INT, "128", 1, 4096, NULL, "keys each query sees"},
    {"seed", OPT_INT, "0", 0, 9223372036854775807.0, NULL, "a 63-bit seed"},
    {"rate", OPT_FLOAT, "0.5", 0, 1, NULL, "a closed range"},
    {"lr", OPT_FLOAT, "1e-3", 0, 10, "(]", "zero excluded"},
    {"beta", OPT_FLOAT, "0.9", 0, 1, "[)", "one excluded"},
    {"open", OPT_FLOAT, "0.5", -1, 1, "()", "both excluded"},
    {"causal", OPT_BOOL, "false", 0, 0, NULL, "a flag"},
    {"mode", OPT_STRING, "bb", 0, 0, "a|bb|c", "a choice"},
    {"path", OPT_STRING, "", 0, 0, NULL, "any string"},
    {"lengths", OPT_INT_LIST, "[1, 2]", 0, 5, NULL, "a list"},
};
enum { N_SPECS = (int)(sizeof specs / sizeof specs[0]) };

static const opt_spec *spec_named(const char *name) {
    for (int i = 0; i < N_SPECS; i++)
        if (strcmp(specs[i].name, name) == 0) return &specs[i];
    abort();
}

static void expect_ok(const char *name, const char *text, const char *json) {
    opt_value value;
    error_info err = {0};
    char what[256];
    snprintf(what, sizeof what, "%s accepts \"%s\" as %s", name, text, json);
    if (opt_parse_scalar(&value, spec_named(name), text, &err) != 0) {
        test_check(false, what, "rejected: %s", err.message);
        return;
    }
    strbuf out = {0};
    opt_value_to_json(&value, &out);
    test_check(strcmp(out.data, json) == 0, what, "got %s", out.data);
    strbuf_free(&out);
}

static void expect_error(const char *name, const char *text, const char *message) {
    opt_value value;
    error_info err = {0};
    char what[512];
    snprintf(what, sizeof what, "%s rejects \"%.60s\": %s", name, text, message);
    int rc = opt_parse_scalar(&value, spec_named(name), text, &err);
    test_check(rc == -1 && err.status == EXIT_USAGE && strcmp(err.message, message) == 0, what,
               "rc %d, message \"%s\"", rc, rc ? err.message : "");
}

static void test_describe(void) {
    static const struct {
        const char *name, *text;
    } cases[] = {
        {"window", "an integer in [1, 4096]"},
        {"seed", "an integer in [0, 9223372036854775807]"},
        {"rate", "a number in [0, 1]"},
        {"lr", "a number in (0, 10]"},
        {"beta", "a number in [0, 1)"},
        {"open", "a number in (-1, 1)"},
        {"causal", "true or false"},
        {"mode", "one of a|bb|c"},
        {"path", "a string of at most 511 characters"},
        {"lengths", "a list of integers in [0, 5]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char got[160], what[160];
        opt_describe_expected(spec_named(cases[i].name), got, sizeof got);
        snprintf(what, sizeof what, "describe %s: \"%s\"", cases[i].name, cases[i].text);
        test_check(strcmp(got, cases[i].text) == 0, what, "got \"%s\"", got);
    }
}

static void test_parse(void) {
    expect_ok("window", "42", "42");
    expect_ok("window", "+7", "7");
    expect_ok("window", "1e3", "1000");
    expect_ok("window", "2.0", "2");
    expect_ok("seed", "9223372036854775807", "9223372036854775807");
    expect_error("window", "1.5", "expected an integer in [1, 4096], got \"1.5\"");
    expect_error("seed", "1e-400", "expected an integer in [0, 9223372036854775807], got \"1e-400\"");
    expect_error("window", "0x10", "expected an integer in [1, 4096], got \"0x10\"");
    expect_error("window", "0", "expected an integer in [1, 4096], got \"0\"");
    expect_error("window", " 5", "expected an integer in [1, 4096], got \" 5\"");
    expect_error("window", "", "expected an integer in [1, 4096], got \"\"");
    expect_error("seed", "9223372036854775808",
                 "expected an integer in [0, 9223372036854775807], got \"9223372036854775808\"");
    expect_error("seed", "1e19", "expected an integer in [0, 9223372036854775807], got \"1e19\"");
    expect_error("seed", "-1", "expected an integer in [0, 9223372036854775807], got \"-1\"");

    expect_ok("rate", "0.25", "0.25");
    expect_ok("rate", ".5", "0.5");
    expect_ok("rate", "1", "1");
    expect_ok("rate", "5e-1", "0.5");
    expect_ok("lr", "1e-9", "1e-09");
    expect_ok("beta", "0", "0");
    expect_ok("rate", "1e-400", "0");
    expect_error("rate", "nan", "expected a number in [0, 1], got \"nan\"");
    expect_error("rate", ".inf", "expected a number in [0, 1], got \".inf\"");
    expect_error("rate", "1e999", "expected a number in [0, 1], got \"1e999\"");
    expect_ok("rate", "1.", "1");
    expect_error("rate", "1e", "expected a number in [0, 1], got \"1e\"");
    expect_error("lr", "0", "expected a number in (0, 10], got \"0\"");
    expect_error("beta", "1", "expected a number in [0, 1), got \"1\"");
    expect_error("open", "-1", "expected a number in (-1, 1), got \"-1\"");

    expect_ok("causal", "true", "true");
    expect_ok("causal", "false", "false");
    expect_error("causal", "yes", "expected true or false, got \"yes\"");
    expect_error("causal", "True", "expected true or false, got \"True\"");

    expect_ok("mode", "bb", "\"bb\"");
    expect_ok("mode", "c", "\"c\"");
    expect_error("mode", "b", "expected one of a|bb|c, got \"b\"");
    expect_error("mode", "a|bb", "expected one of a|bb|c, got \"a|bb\"");
    expect_ok("path", "data/\"quoted\"", "\"data/\\\"quoted\\\"\"");
    char long_text[601];
    memset(long_text, 'x', 600);
    long_text[600] = '\0';
    char message[256];
    snprintf(message, sizeof message, "expected a string of at most 511 characters, got \"%.80s...\"",
             long_text);
    expect_error("path", long_text, message);

    expect_ok("lengths", "[1, 2,3 ]", "[1,2,3]");
    expect_ok("lengths", "[]", "[]");
    expect_ok("lengths", "[ ]", "[]");
    expect_error("lengths", "[1, x]", "expected a list of integers in [0, 5], got \"[1, x]\"");
    expect_error("lengths", "[1, 6]", "expected a list of integers in [0, 5], got \"[1, 6]\"");
    expect_error("lengths", "[1,,2]", "expected a list of integers in [0, 5], got \"[1,,2]\"");
    expect_error("lengths", "3", "expected a list of integers in [0, 5], got \"3\"");
    char many[512] = "[";
    for (int i = 0; i < OPT_LIST_MAX + 1; i++) strcat(many, i ? ",1" : "1");
    strcat(many, "]");
    snprintf(message, sizeof message, "expected a list of integers in [0, 5], got \"%.80s...\"", many);
    expect_error("lengths", many, message);
}

static void test_set(void) {
    opt_set set;
    opt_set_defaults(&set, specs, N_SPECS);
    test_check(set.n == N_SPECS, "defaults: one value per spec", "got %d", set.n);
    test_check(opt_int(&set, "window") == 128, "defaults: window 128", NULL);
    test_check(opt_float(&set, "lr") == 1e-3, "defaults: lr 1e-3", NULL);
    test_check(opt_bool(&set, "causal") == false, "defaults: causal false", NULL);
    test_check(strcmp(opt_string(&set, "mode"), "bb") == 0, "defaults: mode bb", NULL);
    test_check(strcmp(opt_string(&set, "path"), "") == 0, "defaults: path empty", NULL);
    const opt_value *lengths = opt_get(&set, "lengths");
    test_check(lengths->n_list == 2 && lengths->list[0] == 1 && lengths->list[1] == 2,
               "defaults: lengths [1, 2]", NULL);
    test_check(set.values[3].spec == &specs[3], "defaults: values in the order of the table", NULL);
}

int main(void) {
    test_describe();
    test_parse();
    test_set();
    return test_finish("test_options");
}
