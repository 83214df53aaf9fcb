"""Rules as data: the model, the strict YAML loader, three-valued conditions and the durable compiler."""
