# The one JSON and CSV encoder, the table renderers and the command-line parser.
attnbench_test(unit test_strbuf_encode)
attnbench_test(unit test_table_render)
attnbench_test(unit test_cli_opts)
