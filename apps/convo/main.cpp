#include "cli.hpp"

int main(int argc, char** argv) { return convo::cli::run(argc, argv); }
