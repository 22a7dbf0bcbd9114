from clusterbrain.cli import main

main()
