/* test_strbuf_encode.c — the one JSON and CSV encoder (core/strbuf_encode.c): every
 * non-finite number is JSON null, never nan; quotes, backslashes and control characters
 * are escaped; CSV fields with a comma, a quote or a line break are quoted, an empty
 * string apart from an absent field. Each case prints its input and both outputs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/strbuf.h"
#include "testing.h"

typedef enum encoder { JSON_STRING, JSON_NUMBER_TEXT, CSV_FIELD } encoder;

static void expect_text(encoder e, const char *what, const char *input, const char *expected) {
    strbuf b = {0};
    strbuf_append(&b, "");
    if (e == JSON_STRING) strbuf_append_json_string(&b, input);
    else if (e == JSON_NUMBER_TEXT) strbuf_append_json_number_text(&b, input);
    else strbuf_append_csv_field(&b, input);
    test_check(strcmp(b.data, expected) == 0, what, "input [%s]: expected [%s], got [%s]", input, expected, b.data);
    strbuf_free(&b);
}

static void expect_number(double value, const char *expected) {
    strbuf b = {0};
    strbuf_append_json_number(&b, value);
    char what[128];
    snprintf(what, sizeof what, "JSON number %g is %s", value, expected);
    test_check(strcmp(b.data, expected) == 0, what, "got [%s]", b.data);
    strbuf_free(&b);
}

static void test_json_numbers(void) {
    expect_number(NAN, "null");
    expect_number(INFINITY, "null");
    expect_number(-INFINITY, "null");
    expect_number(0.1, "0.1");
    expect_number(-2.5e-300, "-2.5e-300");
    static const char *const numbers[] = {"42", "-0", "0.25", "-17.5", "1e+20", "5e-05", "2E3"};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        expect_text(JSON_NUMBER_TEXT, "a JSON number's text is kept", numbers[i], numbers[i]);
    static const char *const not_numbers[] = {"nan", "-nan", "inf", "-inf", "NaN", "Infinity", "",   "1.",
                                              ".5",  "+1",   "01",  "1e",   "0x10", "1.5×", "12 "};
    for (size_t i = 0; i < sizeof not_numbers / sizeof not_numbers[0]; i++)
        expect_text(JSON_NUMBER_TEXT, "text that is no JSON number is null", not_numbers[i], "null");
}

static void test_json_strings(void) {
    expect_text(JSON_STRING, "plain text is quoted", "listops", "\"listops\"");
    expect_text(JSON_STRING, "quote and backslash escaped", "say \"hi\" \\ bye", "\"say \\\"hi\\\" \\\\ bye\"");
    expect_text(JSON_STRING, "line break, return and tab escaped", "a\nb\rc\td", "\"a\\nb\\rc\\td\"");
    expect_text(JSON_STRING, "other control characters as \\u00XX", "\x01\x1f|\x7f", "\"\\u0001\\u001f|\x7f\"");
    expect_text(JSON_STRING, "UTF-8 passes through", "mean ± std · ü", "\"mean ± std · ü\"");
    expect_text(JSON_STRING, "the empty string", "", "\"\"");
}

static void test_csv_fields(void) {
    strbuf b = {0};
    strbuf_append(&b, "x,");
    strbuf_append_csv_field(&b, NULL);
    test_check(strcmp(b.data, "x,") == 0, "an absent value is an empty field", "got [%s]", b.data);
    strbuf_free(&b);
    expect_text(CSV_FIELD, "an empty string is quoted, apart from absent", "", "\"\"");
    expect_text(CSV_FIELD, "plain text as it is", "lra/listops", "lra/listops");
    expect_text(CSV_FIELD, "a comma is quoted", "a,b", "\"a,b\"");
    expect_text(CSV_FIELD, "a quote is doubled inside quotes", "say \"hi\"", "\"say \"\"hi\"\"\"");
    expect_text(CSV_FIELD, "a line break is quoted", "line1\nline2", "\"line1\nline2\"");
    expect_text(CSV_FIELD, "a carriage return is quoted", "a\rb", "\"a\rb\"");
    expect_text(CSV_FIELD, "a tab or a space needs no quotes", "a\tb c", "a\tb c");
}

static void test_reals(void) {
    static const struct {
        double value;
        const char *text;
    } cases[] = {{NAN, "nan"}, {INFINITY, "inf"}, {-INFINITY, "-inf"}, {50, "50"}, {1e20, "1e+20"}, {1e-5, "1e-05"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        strbuf b = {0};
        strbuf_append_real(&b, cases[i].value);
        test_check(strcmp(b.data, cases[i].text) == 0, "a real for people", "expected %s, got %s", cases[i].text,
                   b.data);
        strbuf_free(&b);
    }
}

int main(void) {
    test_json_numbers();
    test_json_strings();
    test_csv_fields();
    test_reals();
    return test_finish("test_strbuf_encode");
}
