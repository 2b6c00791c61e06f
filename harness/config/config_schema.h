/* config_schema.h — the config's sections as const tables of typed fields.
 *
 * Each section of experiment_config (top level, task, model, model.attention, train)
 * is one table: a field's name, type, default and bounds are an opt_spec (so they are
 * parsed and described by the same code as plug-in options), plus where the value
 * lives in the section's struct. Binding (config_bind.c), the canonical JSON
 * (config_json.c) and the config reference all read these tables, so a field added
 * here is parsed, validated, hashed and printed without further code. */
#ifndef ATTNBENCH_CONFIG_SCHEMA_H
#define ATTNBENCH_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "core/options.h"

struct strbuf;

enum field_store {
    STORE_NONE,   /* a nested section, bound by the caller */
    STORE_INT,    /* int */
    STORE_INT64,  /* int64_t */
    STORE_UINT64, /* uint64_t (seeds; parsed as a non-negative int64) */
    STORE_DOUBLE, /* double */
    STORE_CHOICE, /* an enum: the index of the value in spec.choices */
    STORE_TEXT,   /* char[size] */
    STORE_BOOL,   /* bool */
};

typedef struct config_field {
    opt_spec spec;          /* default_value NULL: required, registry, or default_from */
    enum field_store store;
    size_t offset, size;    /* where the value lives in the section's struct */
    bool registry;          /* a registry name (task.name, model.attention.kind): the
                             * caller looks it up and binds the plug-in's options */
    bool unhashed;          /* left out of the identity (config_hash): it does not change the numbers */
    const char *default_from; /* the default is the value of this field of the section (same store) */
} config_field;

typedef struct config_section {
    const char *path; /* key path prefix, "" for the top level */
    const config_field *fields;
    int n_fields;
} config_section;

extern const config_section config_top_section;       /* experiment_config */
extern const config_section config_task_section;      /* task_config */
extern const config_section config_model_section;     /* model_config */
extern const config_section config_attention_section; /* attention_config */
extern const config_section config_train_section;     /* train_config */

/* The field called name, or NULL. */
const config_field *config_field_find(const config_section *section, const char *name);
/* Store the default of every field of section that has one into base (a struct of
 * the section's type); registry fields and required ones are left alone, and so are
 * fields whose default is another field's value (config_field_derive, once bound). */
void config_section_defaults(const config_section *section, void *base);
/* Give a field with default_from the value of that field of base. */
void config_field_derive(const config_section *section, const config_field *field, void *base);
/* Write a parsed value into the section struct at base. */
void config_field_store(const config_field *field, void *base, const opt_value *value);
/* Append the field's value in the section struct at base as JSON. */
void config_field_to_json(const config_field *field, const void *base, struct strbuf *out);

#endif
