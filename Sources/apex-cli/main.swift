print("apex-cli")
