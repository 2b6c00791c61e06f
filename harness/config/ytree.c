/* ytree.c — libyaml events → a tree of marked nodes (see ytree.h).
 *
 * The builder attaches every node to its parent the moment it is created, so on any
 * error freeing the root frees everything. Anchors point into the tree; an alias is
 * replaced by a copy of the anchored node, counted against the node and depth
 * limits, so "billion laughs" input fails cleanly. */
#include "config/ytree.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/check.h"

typedef struct anchor {
    char *name;
    ytree_node *node;
} anchor;

typedef struct builder {
    const char *text;
    size_t size;
    const char *source;
    const char *override;
    error_info *err;
    ytree_node *root;
    ytree_node *open[YTREE_DEPTH_MAX]; /* containers not yet closed, outermost first */
    int depth;
    anchor *anchors;
    int n_anchors, capacity_anchors;
    int n_nodes;
    int n_documents;
} builder;

static char *copy_text(const char *text) {
    size_t size = strlen(text) + 1;
    char *copy = malloc(size);
    CHECK(copy != NULL);
    memcpy(copy, text, size);
    return copy;
}

ytree_node *ytree_new(enum ytree_kind kind, ytree_mark mark, const char *text) {
    ytree_node *node = calloc(1, sizeof *node);
    CHECK(node != NULL);
    node->kind = kind;
    node->mark = mark;
    if (kind == YTREE_SCALAR) {
        node->text = copy_text(text);
        node->plain = true;
    }
    return node;
}

void ytree_append(ytree_node *container, ytree_node *item) {
    CHECK(container->kind != YTREE_SCALAR);
    if (container->n == container->capacity) {
        int capacity = container->capacity ? 2 * container->capacity : 8;
        ytree_node **items = realloc(container->items, (size_t)capacity * sizeof *items);
        CHECK(items != NULL);
        container->items = items;
        container->capacity = capacity;
    }
    container->items[container->n++] = item;
}

ytree_node *ytree_copy(const ytree_node *node) {
    ytree_node *copy = ytree_new(node->kind, node->mark, node->text);
    copy->plain = node->plain;
    for (int i = 0; i < node->n; i++) ytree_append(copy, ytree_copy(node->items[i]));
    return copy;
}

void ytree_free(ytree_node *node) {
    if (!node) return;
    for (int i = 0; i < node->n; i++) ytree_free(node->items[i]);
    free(node->items);
    free(node->text);
    free(node);
}

void ytree_remark(ytree_node *node, ytree_mark mark) {
    node->mark = mark;
    for (int i = 0; i < node->n; i++) ytree_remark(node->items[i], mark);
}

static int find_value(const ytree_node *mapping, const char *key) {
    for (int i = 0; i + 1 < mapping->n; i += 2) {
        const ytree_node *k = mapping->items[i];
        if (k->kind == YTREE_SCALAR && strcmp(k->text, key) == 0) return i + 1;
    }
    return -1;
}

ytree_node *ytree_get(const ytree_node *mapping, const char *key) {
    CHECK(mapping->kind == YTREE_MAPPING);
    int slot = find_value(mapping, key);
    return slot < 0 ? NULL : mapping->items[slot];
}

void ytree_set(ytree_node *mapping, const char *const *path, int n_path, ytree_node *value, ytree_mark mark) {
    CHECK(mapping->kind == YTREE_MAPPING && n_path >= 1);
    for (int level = 0;; level++) {
        bool last = level == n_path - 1;
        int slot = find_value(mapping, path[level]);
        if (slot < 0) {
            ytree_append(mapping, ytree_new(YTREE_SCALAR, mark, path[level]));
            ytree_append(mapping, last ? value : ytree_new(YTREE_MAPPING, mark, NULL));
            slot = mapping->n - 1;
        } else if (last) {
            ytree_free(mapping->items[slot]);
            mapping->items[slot] = value;
        } else if (mapping->items[slot]->kind != YTREE_MAPPING) {
            ytree_free(mapping->items[slot]);
            mapping->items[slot] = ytree_new(YTREE_MAPPING, mark, NULL);
        }
        if (last) return;
        mapping = mapping->items[slot];
    }
}

bool ytree_is_null(const ytree_node *node) {
    return node->kind == YTREE_SCALAR && node->plain &&
           (node->text[0] == '\0' || strcmp(node->text, "~") == 0 || strcmp(node->text, "null") == 0);
}

const char *ytree_kind_name(enum ytree_kind kind) {
    switch (kind) {
    case YTREE_SCALAR: return "a scalar";
    case YTREE_SEQUENCE: return "a sequence";
    case YTREE_MAPPING: return "a mapping";
    }
    return "?";
}

int ytree_prefix(error_info *err, const char *source, const ytree_mark *mark, const char *path) {
    if (mark->override) return error_prefix(err, "command line: %s", mark->override);
    if (mark->line > 0 && path)
        return error_prefix(err, "%s:%d:%d: %s", source, mark->line, mark->column, path);
    if (mark->line > 0) return error_prefix(err, "%s:%d:%d", source, mark->line, mark->column);
    if (path) return error_prefix(err, "%s: %s", source, path);
    return error_prefix(err, "%s", source);
}

int ytree_error(error_info *err, const char *source, const ytree_mark *mark, const char *path,
                const char *fmt, ...) {
    char message[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    error_set(err, EXIT_USAGE, "%s", message);
    return ytree_prefix(err, source, mark, path);
}

int ytree_check_keys(const ytree_node *node, const char *path, const char *source, error_info *err) {
    if (node->kind != YTREE_MAPPING) return 0;
    for (int i = 0; i + 1 < node->n; i += 2) {
        const ytree_node *key = node->items[i];
        if (key->kind != YTREE_SCALAR)
            return ytree_error(err, source, &key->mark, path[0] ? path : NULL, "expected a key name, got %s",
                               ytree_kind_name(key->kind));
        char child[256];
        if (path[0])
            snprintf(child, sizeof child, "%s.%s", path, key->text);
        else
            snprintf(child, sizeof child, "%s", key->text);
        for (int j = 0; j < i; j += 2) {
            const ytree_node *earlier = node->items[j]; /* a scalar: checked on its turn */
            if (strcmp(earlier->text, key->text) != 0) continue;
            if (earlier->mark.line == 0) return ytree_error(err, source, &key->mark, child, "duplicate key");
            return ytree_error(err, source, &key->mark, child, "duplicate key (first given at line %d)",
                               earlier->mark.line);
        }
        if (ytree_check_keys(node->items[i + 1], child, source, err) != 0) return -1;
    }
    return 0;
}

static ytree_mark event_mark(const builder *b, yaml_mark_t mark) {
    if (b->override) return (ytree_mark){0, 0, b->override};
    return (ytree_mark){(int)mark.line + 1, (int)mark.column + 1, NULL};
}

static int count_nodes(const ytree_node *node, int *height) {
    int count = 1, deepest = 0;
    for (int i = 0; i < node->n; i++) {
        int h;
        count += count_nodes(node->items[i], &h);
        if (h > deepest) deepest = h;
    }
    *height = deepest + 1;
    return count;
}

/* Attach a new node (of `count` nodes and `height` levels) under the innermost open
 * container, or make it the root. */
static int attach(builder *b, ytree_node *node, int count, int height) {
    if (b->depth == 0)
        b->root = node;
    else
        ytree_append(b->open[b->depth - 1], node);
    b->n_nodes += count;
    if (b->n_nodes > YTREE_NODES_MAX)
        return ytree_error(b->err, b->source, &node->mark, NULL,
                           "config too large (more than %d nodes after expanding aliases)", YTREE_NODES_MAX);
    if (b->depth + height > YTREE_DEPTH_MAX)
        return ytree_error(b->err, b->source, &node->mark, NULL, "nested deeper than %d levels",
                           YTREE_DEPTH_MAX);
    return 0;
}

static void add_anchor(builder *b, const yaml_char_t *name, ytree_node *node) {
    if (!name) return;
    if (b->n_anchors == b->capacity_anchors) {
        int capacity = b->capacity_anchors ? 2 * b->capacity_anchors : 8;
        anchor *anchors = realloc(b->anchors, (size_t)capacity * sizeof *anchors);
        CHECK(anchors != NULL);
        b->anchors = anchors;
        b->capacity_anchors = capacity;
    }
    b->anchors[b->n_anchors].name = copy_text((const char *)name);
    b->anchors[b->n_anchors++].node = node;
}

static int on_alias(builder *b, const yaml_event_t *event) {
    const char *name = (const char *)event->data.alias.anchor;
    ytree_mark mark = event_mark(b, event->start_mark);
    const ytree_node *target = NULL;
    for (int i = b->n_anchors - 1; i >= 0 && !target; i--)
        if (strcmp(b->anchors[i].name, name) == 0) target = b->anchors[i].node;
    if (!target) return ytree_error(b->err, b->source, &mark, NULL, "unknown alias *%s", name);
    for (int i = 0; i < b->depth; i++)
        if (b->open[i] == target)
            return ytree_error(b->err, b->source, &mark, NULL, "alias *%s is inside its own anchor", name);
    int height;
    int count = count_nodes(target, &height);
    if (b->n_nodes + count > YTREE_NODES_MAX)
        return ytree_error(b->err, b->source, &mark, NULL,
                           "config too large (more than %d nodes after expanding aliases)", YTREE_NODES_MAX);
    return attach(b, ytree_copy(target), count, height);
}

static int on_event(builder *b, const yaml_event_t *event) {
    ytree_mark mark = event_mark(b, event->start_mark);
    ytree_node *node;
    switch (event->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->n_documents > 1)
            return ytree_error(b->err, b->source, &mark, NULL, "expected a single YAML document");
        return 0;
    case YAML_SCALAR_EVENT: {
        const char *value = (const char *)event->data.scalar.value;
        if (memchr(value, '\0', event->data.scalar.length))
            return ytree_error(b->err, b->source, &mark, NULL, "a scalar contains a NUL character");
        node = ytree_new(YTREE_SCALAR, mark, value);
        node->plain = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        add_anchor(b, event->data.scalar.anchor, node);
        return attach(b, node, 1, 1);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        node =
            ytree_new(event->type == YAML_MAPPING_START_EVENT ? YTREE_MAPPING : YTREE_SEQUENCE, mark, NULL);
        add_anchor(b,
                   event->type == YAML_MAPPING_START_EVENT ? event->data.mapping_start.anchor
                                                           : event->data.sequence_start.anchor,
                   node);
        if (attach(b, node, 1, 1) != 0) return -1;
        CHECK(b->depth < YTREE_DEPTH_MAX); /* attach refused anything deeper */
        b->open[b->depth++] = node;
        return 0;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        CHECK(b->depth > 0);
        b->depth--;
        return 0;
    case YAML_ALIAS_EVENT: return on_alias(b, event);
    default: return 0;
    }
}

/* Line and column of a byte offset, for reader errors that carry no mark. */
static yaml_mark_t offset_mark(const char *text, size_t size, size_t offset) {
    yaml_mark_t mark = {offset, 0, 0};
    for (size_t i = 0; i < offset && i < size; i++) {
        if (text[i] == '\n') {
            mark.line++;
            mark.column = 0;
        } else {
            mark.column++;
        }
    }
    return mark;
}

static int syntax_error(builder *b, const yaml_parser_t *parser) {
    if (parser->error == YAML_MEMORY_ERROR)
        return error_set(b->err, EXIT_RUNTIME, "%s: out of memory while reading YAML", b->source);
    yaml_mark_t where = parser->error == YAML_READER_ERROR
                            ? offset_mark(b->text, b->size, parser->problem_offset)
                            : parser->problem_mark;
    ytree_mark mark = event_mark(b, where);
    return ytree_error(b->err, b->source, &mark, NULL, "YAML syntax error: %s",
                       parser->problem ? parser->problem : "unknown problem");
}

int ytree_parse(ytree_node **root, const char *text, size_t size, const char *source, const char *override,
                error_info *err) {
    builder b = {.text = text, .size = size, .source = source, .override = override, .err = err};
    yaml_parser_t parser;
    CHECK(yaml_parser_initialize(&parser));
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, size);
    int status = 0;
    for (bool done = false; !done && status == 0;) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event)) {
            status = syntax_error(&b, &parser);
            break;
        }
        done = event.type == YAML_STREAM_END_EVENT;
        status = on_event(&b, &event);
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    for (int i = 0; i < b.n_anchors; i++) free(b.anchors[i].name);
    free(b.anchors);
    if (status != 0) {
        ytree_free(b.root);
        *root = NULL;
        return -1;
    }
    *root = b.root;
    return 0;
}
